"""The ledger: balances are sums of rows, rules are configuration, adjustments need a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.errors import InvalidInput
from conductor.loyalty import points
from conductor.loyalty.models import RECEIPT, PointsEntry
from conductor.loyalty.points import PointsRules
from factories import make_budtender, make_customer, make_dispensary

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def test_rules_round_down_and_multiply() -> None:
    rules = PointsRules(brands=frozenset({"mota"}))
    assert rules.customer_points(Decimal("45.99")) == 45
    assert rules.budtender_points(45) == 450
    assert rules.customer_points(Decimal("0.99")) == 0
    assert rules.qualifies("MOTA ") and not rules.qualifies("Stiiizy")
    assert not rules.qualifies(None)
    double = PointsRules(
        brands=frozenset({"mota"}), points_per_dollar=Decimal("1.5"), budtender_multiplier=3
    )
    assert double.customer_points(Decimal("10.00")) == 15 and double.budtender_points(15) == 45


def test_rules_come_from_settings() -> None:
    settings = Settings(
        loyalty_brands=["Mota", " House "],
        loyalty_points_per_dollar=Decimal(2),
        loyalty_budtender_multiplier=5,
    )
    rules = PointsRules.from_settings(settings)
    assert rules.brands == {"mota", "house"}
    assert rules.customer_points(Decimal("3.50")) == 7 and rules.budtender_points(7) == 35


def test_balance_is_the_sum_of_the_ledger(session: Session) -> None:
    customer = make_customer(session)
    points.record(
        session, amount=40, reason=RECEIPT, actor="system", now=NOW, customer_id=customer.id
    )
    points.adjust(
        session, amount=-15, note="returned item", actor="boss", now=NOW, customer_id=customer.id
    )
    assert points.customer_balance(session, customer.id) == 25
    history = points.entries(session, customer_id=customer.id)
    assert [(e.amount, e.reason, e.created_by) for e in reversed(history)] == [
        (40, "receipt", "system"),
        (-15, "adjustment", "boss"),
    ]


def test_adjustments_need_a_reason_and_a_holder(session: Session) -> None:
    bud = make_budtender(session, make_dispensary(session))
    with pytest.raises(InvalidInput, match="why"):
        points.adjust(session, amount=10, note=" ", actor="boss", now=NOW, budtender_id=bud.id)
    with pytest.raises(InvalidInput, match="0 points"):
        points.adjust(session, amount=0, note="x", actor="boss", now=NOW, budtender_id=bud.id)
    with pytest.raises(InvalidInput, match="one customer or one budtender"):
        points.adjust(session, amount=5, note="x", actor="boss", now=NOW)
    assert points.budtender_balance(session, bud.id) == 0


def test_the_database_refuses_a_row_for_two_holders(session: Session) -> None:
    customer = make_customer(session)
    bud = make_budtender(session, make_dispensary(session))
    session.add(
        PointsEntry(customer_id=customer.id, budtender_id=bud.id, amount=1, reason=RECEIPT,
                    created_by="x", created_at=NOW)
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        session.flush()
