"""The points ledger: every change of points is a row; a balance is a sum, never a stored number.

Rules (configuration, :class:`PointsRules`): a customer earns ``floor(qualifying spend x
points_per_dollar)`` for a receipt, where qualifying spend is the pre-tax total of the lines whose
product is of a qualifying brand; the budtender who sold it earns ``multiplier`` times that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.errors import InvalidInput
from conductor.loyalty.models import ADJUSTMENT, REASONS, PointsEntry

MAX_ADJUSTMENT = 1_000_000


@dataclass(frozen=True)
class PointsRules:
    brands: frozenset[str]
    """Qualifying brands, compared case-insensitively."""
    points_per_dollar: Decimal = Decimal(1)
    budtender_multiplier: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> PointsRules:
        return cls(
            brands=frozenset(b.strip().casefold() for b in settings.loyalty_brands if b.strip()),
            points_per_dollar=settings.loyalty_points_per_dollar,
            budtender_multiplier=settings.loyalty_budtender_multiplier,
        )

    def qualifies(self, brand: str | None) -> bool:
        return brand is not None and brand.strip().casefold() in self.brands

    def customer_points(self, spend: Decimal) -> int:
        if spend <= 0:
            return 0
        return int((spend * self.points_per_dollar).to_integral_value(ROUND_FLOOR))

    def budtender_points(self, customer_points: int) -> int:
        return customer_points * self.budtender_multiplier


def record(
    session: Session,
    *,
    amount: int,
    reason: str,
    actor: str,
    now: datetime,
    customer_id: int | None = None,
    budtender_id: int | None = None,
    receipt_id: int | None = None,
    note: str = "",
) -> PointsEntry:
    """Append one ledger row for exactly one holder."""
    if (customer_id is None) == (budtender_id is None):
        raise InvalidInput("a points entry belongs to one customer or one budtender")
    if reason not in REASONS:
        raise InvalidInput(f"unknown points reason {reason!r}")
    entry = PointsEntry(
        customer_id=customer_id,
        budtender_id=budtender_id,
        receipt_id=receipt_id,
        amount=amount,
        reason=reason,
        note=note[:500],
        created_by=actor,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def adjust(
    session: Session,
    *,
    amount: int,
    note: str,
    actor: str,
    now: datetime,
    customer_id: int | None = None,
    budtender_id: int | None = None,
) -> PointsEntry:
    """A manual adjustment by a person: never zero, always with a reason written down."""
    if amount == 0:
        raise InvalidInput("an adjustment of 0 points changes nothing")
    if abs(amount) > MAX_ADJUSTMENT:
        raise InvalidInput(f"adjustments are limited to {MAX_ADJUSTMENT:,} points at a time")
    if not note.strip():
        raise InvalidInput("say why the points change (the reason is kept in the ledger)")
    return record(
        session,
        amount=amount,
        reason=ADJUSTMENT,
        actor=actor,
        now=now,
        note=note.strip(),
        customer_id=customer_id,
        budtender_id=budtender_id,
    )


def customer_balance(session: Session, customer_id: int) -> int:
    stmt = select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.customer_id == customer_id
    )
    return int(session.scalar(stmt) or 0)


def budtender_balance(session: Session, budtender_id: int) -> int:
    stmt = select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.budtender_id == budtender_id
    )
    return int(session.scalar(stmt) or 0)


def entries(
    session: Session,
    *,
    customer_id: int | None = None,
    budtender_id: int | None = None,
    limit: int = 100,
) -> list[PointsEntry]:
    """A holder's ledger, newest first."""
    stmt = select(PointsEntry).order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
    if customer_id is not None:
        stmt = stmt.where(PointsEntry.customer_id == customer_id)
    if budtender_id is not None:
        stmt = stmt.where(PointsEntry.budtender_id == budtender_id)
    return list(session.scalars(stmt.limit(limit)))
