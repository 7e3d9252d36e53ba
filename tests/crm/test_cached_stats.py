"""The cached analytics on customers cannot drift from the transactions they derive from."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from conductor.crm import service
from conductor.crm.models import Customer, Transaction
from conductor.crm.stats import stale_customer_ids
from conftest import CliRun
from factories import make_customer, make_sale

START = datetime(2025, 1, 1, 17, 0, tzinfo=UTC)


def _expected(session: Session) -> dict[int, tuple[int, Decimal, datetime | None]]:
    """Recompute in Python, independently of the SQL in stats.py."""
    out: dict[int, tuple[int, Decimal, datetime | None]] = {}
    for cid in session.scalars(select(Customer.id)):
        txs = session.scalars(select(Transaction).where(Transaction.customer_id == cid)).all()
        last = max((t.occurred_at for t in txs), default=None)
        out[cid] = (len(txs), sum((t.total for t in txs), Decimal("0")), last)
    return out


def _cached(session: Session) -> dict[int, tuple[int, Decimal, datetime | None]]:
    session.expire_all()
    return {
        c.id: (c.visit_count, Decimal(c.lifetime_value), c.last_visit_at)
        for c in session.scalars(select(Customer))
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_sales_deletions_and_moves_never_leave_the_cache_stale(
    session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    customers = [make_customer(session) for _ in range(4)]
    session.commit()
    for step in range(60):
        txs = session.scalars(select(Transaction)).all()
        action = rng.choice(["sale", "sale", "delete", "move"] if txs else ["sale"])
        if action == "sale":
            price = Decimal(rng.randint(100, 20000)) / 100
            when = START + timedelta(days=rng.randint(0, 600), minutes=step)
            make_sale(session, rng.choice([*customers, None]), when=when, prices=[price])
        elif action == "delete":
            service.delete_transaction(session, rng.choice(txs))
        else:
            service.reassign_transaction(session, rng.choice(txs), rng.choice([*customers, None]))
        session.commit()
        assert _cached(session) == _expected(session), f"step {step}: {action}"
    assert stale_customer_ids(session) == []


def test_a_rolled_back_sale_rolls_back_the_cache_with_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        customer = make_customer(session)
        make_sale(session, customer, when=START, prices=[Decimal("10")])
        session.commit()
        cid = customer.id
    with sessions() as session:
        customer = session.get_one(Customer, cid)
        make_sale(session, customer, when=START + timedelta(days=3), prices=[Decimal("99")])
        assert customer.visit_count == 2  # refreshed inside the transaction
        session.rollback()
    with sessions() as session:
        customer = session.get_one(Customer, cid)
        assert (customer.visit_count, customer.lifetime_value) == (1, Decimal("10.00"))
        assert stale_customer_ids(session) == []


def test_check_reports_a_tampered_cache_and_refresh_stats_repairs_it(
    session: Session, cli: CliRun
) -> None:
    customer = make_customer(session)
    make_sale(session, customer, when=START, prices=[Decimal("10")])
    session.commit()
    cli("check")
    session.execute(update(Customer).values(visit_count=7))
    session.commit()
    assert stale_customer_ids(session) == [customer.id]
    result = cli("check", expect_exit=1)
    assert "cached customer analytics disagree" in result.output
    cli("crm", "refresh-stats")
    assert stale_customer_ids(session) == []
    cli("check")
