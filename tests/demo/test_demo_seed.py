"""``conductor demo seed``: the demo dataset written into the CRM tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import Result

from conductor.crm.keys import customer_search_keys
from conductor.crm.models import Customer, Product, Staff, Transaction, TransactionItem
from conductor.crm.phone import normalize_phone
from conductor.crm.stats import stale_customer_ids
from conductor.demo import DemoData, DemoSpec
from conductor.errors import DatabaseError, InvalidInput

CliRun = Callable[..., Result]
SEED_ARGS = ("demo", "seed", "--scale", "0.02", "--seed", "3", "--end-date", "2026-04-30")
SPEC = DemoSpec(
    end_date=date(2026, 4, 30), zone=ZoneInfo("America/Los_Angeles"), scale=0.02, seed=3
)


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_seed_fills_every_table_and_prints_the_counts(cli: CliRun, session: Session) -> None:
    result = cli(*SEED_ARGS)
    assert count(session, Customer) == 201
    assert count(session, Transaction) == 3_728
    assert count(session, Staff) == 30
    assert count(session, Product) == 1_700
    items = count(session, TransactionItem)
    assert 2 * 3_728 <= items <= 3 * 3_728
    assert f"{items:,}" in result.output and "3,728" in result.output
    assert "done in" in result.output


def test_seeded_analytics_are_not_stale(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    assert stale_customer_ids(session) == []
    visited = session.scalars(select(Customer).where(Customer.visit_count > 0)).all()
    assert len(visited) > 150
    assert all(c.last_visit_at is not None and c.lifetime_value > 0 for c in visited)


def test_seeded_customers_have_e164_phones_and_search_keys(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    customers = session.scalars(select(Customer)).all()
    for c in customers:
        assert c.phone == normalize_phone(c.phone_raw)
        keys = customer_search_keys(c.first_name, c.last_name, c.phone)
        assert (c.name_key, c.last_name_key, c.phone_key) == (
            keys["name_key"],
            keys["last_name_key"],
            keys["phone_key"],
        )
    assert any(c.phone_raw and c.phone_raw != c.phone for c in customers)
    assert sum(c.phone is not None for c in customers) > len(customers) * 0.9


def test_the_database_holds_exactly_the_generated_rows(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    expected = {}
    for batch in DemoData(SPEC).batches():
        expected.update({t["transaction_id"]: t for t in batch.transactions})
    member_of = dict(session.execute(select(Customer.id, Customer.member_id)).all())
    rows = session.execute(
        select(Transaction.transaction_id, Transaction.customer_id, Transaction.total)
    ).all()
    assert len(rows) == len(expected)
    for transaction_id, customer_id, total in rows:
        want = expected[transaction_id]
        assert member_of.get(customer_id) == want["member_id"]
        assert Decimal(total) == want["total"]
    sums = session.execute(
        select(TransactionItem.transaction_id, func.sum(TransactionItem.total_price)).group_by(
            TransactionItem.transaction_id
        )
    ).all()
    subtotal = dict(session.execute(select(Transaction.id, Transaction.subtotal)).all())
    assert all(Decimal(s).quantize(Decimal("0.01")) == subtotal[t] for t, s in sums)


def test_seed_refuses_a_database_that_has_customers(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    result = cli(*SEED_ARGS, expect_exit=1)
    assert isinstance(result.exception, InvalidInput)
    assert "fresh database" in str(result.exception)
    assert count(session, Customer) == 201
    assert count(session, Transaction) == 3_728


def test_rows_added_after_seeding_get_new_ids(cli: CliRun, session: Session) -> None:
    cli(*SEED_ARGS)
    highest = session.scalar(select(func.max(Customer.id)))
    added = Customer(member_id="after-the-demo", first_name="New")
    session.add(added)
    session.commit()
    assert highest is not None and added.id > highest


def test_seed_wants_a_current_schema(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONDUCTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'blank.db'}")
    result = cli(*SEED_ARGS, expect_exit=1)
    assert isinstance(result.exception, DatabaseError)
    assert "conductor db upgrade" in str(result.exception)
