"""The win-back queue: lapsed, valuable, reachable customers, best first, at any scale.

Who (the rules and the score are in :mod:`conductor.crm.analytics`' docstring): not merged, SMS
consent, a phone number, at least two visits (:data:`~conductor.crm.models.REACHABLE_REGULAR`),
and lapsed: last visit at least 45 days ago and more than twice their mean interval ago.

Two columns make that cheap, cached with the other per-customer analytics by
:mod:`conductor.crm.stats` (same database transaction as the sales they derive from):

- ``lapse_day``: the last visit plus twice the mean interval, in days since the epoch. "Lapsed
  now" is then ``lapse_day < today`` and ``last_visit_at <= now - 45 days``: the size of the
  queue is a count over one partial index, with no date arithmetic per customer.
- ``win_back_value``: the score without its recency, ``lifetime value x visits x 30 / (span
  days + 30)``. The score is ``win_back_value x 90 / (90 + days away)``, and everyone in the
  queue is at least 45 days away, so nobody scores more than 2/3 of their ``win_back_value``.
  :func:`priority_queue` reads the lapsed customers by ``win_back_value``, highest first
  (another partial index), scores them, and stops as soon as the N-th best score beats 2/3 of
  the next ``win_back_value``: nobody further down can overtake it. It reads a few dozen rows
  where scoring everyone read the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.orm import Session

from conductor.crm.models import REACHABLE_REGULAR, Customer
from conductor.crm.sqlfunc import epoch_days

WIN_BACK_MIN_LAPSE_DAYS = 45
RECENCY_DAYS = 90.0
BEST_RECENCY = RECENCY_DAYS / (RECENCY_DAYS + WIN_BACK_MIN_LAPSE_DAYS)
"""The highest recency anyone in the queue can have (45 days away)."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LAPSE_INDEX = "INDEXED BY ix_customers_win_back_lapse"
VALUE_INDEX = "INDEXED BY ix_customers_win_back_value"
"""SQLite is told which index to read (PostgreSQL's planner picks these by itself)."""
DAY = timedelta(days=1)


@dataclass(frozen=True)
class WinBackEntry:
    customer_id: int
    member_id: str
    name: str
    phone: str
    lifetime_value: Decimal
    visits: int
    last_visit: datetime
    days_since_last_visit: int
    mean_interval_days: float
    score: float


def cached_columns() -> dict[str, ColumnElement[Any]]:
    """``lapse_day`` and ``win_back_value`` from a customer's cached visits, value and visit
    times, as SQL (for :func:`conductor.crm.stats.refresh_customer_stats`)."""
    c = Customer
    last, first = epoch_days(c.last_visit_at), epoch_days(c.first_visit_at)
    regular = c.visit_count >= 2
    value = cast(c.lifetime_value, Float) * c.visit_count * 30.0 / (last - first + 30.0)
    return {
        "lapse_day": case((regular, last + 2 * (last - first) / (c.visit_count - 1)), else_=None),
        "win_back_value": case((regular, value), else_=None),
    }


def expected_columns(
    visits: int, value: Decimal, first: datetime | None, last: datetime | None
) -> tuple[float | None, float | None]:
    """What :func:`cached_columns` should hold, computed in Python (for the drift check)."""
    if visits < 2 or first is None or last is None:
        return None, None
    last_day, span = (last - EPOCH) / DAY, (last - first) / DAY
    return last_day + 2 * span / (visits - 1), float(value) * visits * 30.0 / (span + 30.0)


def _lapsed(now: datetime) -> list[ColumnElement[bool]]:
    cutoff = now - timedelta(days=WIN_BACK_MIN_LAPSE_DAYS)
    return [REACHABLE_REGULAR, Customer.lapse_day < (now - EPOCH) / DAY,
            Customer.last_visit_at <= cutoff]  # fmt: skip


def queue_size(session: Session, *, now: datetime) -> int:
    """How many customers the win-back queue holds at ``now``."""
    stmt = select(func.count()).select_from(Customer).where(*_lapsed(now))
    return int(session.scalar(stmt.with_hint(Customer, LAPSE_INDEX, "sqlite")) or 0)


def priority_queue(session: Session, *, now: datetime, limit: int = 100) -> list[WinBackEntry]:
    """The first ``limit`` entries of the win-back queue at ``now``, best first (ties: by id)."""
    if limit <= 0:
        return []
    c = Customer
    now_day, wanted = (now - EPOCH) / DAY, max(4 * limit, 50)
    while True:
        rows = session.execute(
            select(c.id, c.win_back_value, epoch_days(c.last_visit_at))
            .where(*_lapsed(now))
            .order_by(c.win_back_value.desc(), c.id)
            .limit(wanted)
            .with_hint(c, VALUE_INDEX, "sqlite")
        ).all()
        values = [(cid, value or 0.0, last) for cid, value, last in rows]
        best = sorted((-_score(value, now_day - last), cid) for cid, value, last in values)[:limit]
        beaten = len(best) == limit and -best[-1][0] > values[-1][1] * BEST_RECENCY
        if len(rows) < wanted or beaten:
            break
        wanted *= 4
    found = {x.id: x for x in session.scalars(select(c).where(c.id.in_([i for _, i in best])))}
    return [_entry(found[cid], now) for _, cid in best]


def _score(value: float, days_away: float) -> float:
    return value * RECENCY_DAYS / (RECENCY_DAYS + days_away)


def _entry(customer: Customer, now: datetime) -> WinBackEntry:
    last, first = customer.last_visit_at or now, customer.first_visit_at or now
    days = (now - last) / DAY
    return WinBackEntry(
        customer_id=customer.id,
        member_id=customer.member_id,
        name=customer.name,
        phone=customer.phone or "",
        lifetime_value=Decimal(customer.lifetime_value),
        visits=customer.visit_count,
        last_visit=last,
        days_since_last_visit=int(days),
        mean_interval_days=round((last - first) / DAY / (customer.visit_count - 1), 1),
        score=round(_score(customer.win_back_value or 0.0, days), 2),
    )
