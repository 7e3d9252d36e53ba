"""The sales rollup equals what the transactions say after writes through every path: sales,
deletions, moves and merges through the CRM services, CSV imports that add and change sales,
the demo seed; a rolled-back sale leaves no trace; `check` and `refresh-rollups` repair drift."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from conductor.config import Settings
from conductor.crm import service
from conductor.crm.merge import merge_customers
from conductor.crm.models import Customer, Transaction
from conductor.importers.csv.service import import_csv
from conductor.rollup import service as rollups
from conductor.rollup.models import SalesSlot
from conftest import CliRun
from factories import make_customer, make_sale
from rollupkit import quarter_hour, sales_from_transactions, sales_kept

START = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)


def _random_moment(rng: random.Random) -> datetime:
    """Anywhere in two months, often on the last microsecond before a quarter hour."""
    moment = START + timedelta(minutes=15 * rng.randint(0, 60 * 96))
    return moment - timedelta(microseconds=1) if rng.random() < 0.3 else moment


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sales_deletions_moves_and_merges_keep_the_rollup_exact(
    session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    customers = [make_customer(session) for _ in range(5)]
    session.commit()
    for step in range(50):
        txs = session.scalars(select(Transaction)).all()
        action = rng.choice(["sale", "sale", "delete", "move", "merge"] if txs else ["sale"])
        live = [c for c in customers if c.merged_into_id is None]
        if action == "sale":
            prices = [Decimal(rng.randint(1, 30000)) / 100 for _ in range(rng.randint(1, 3))]
            make_sale(session, rng.choice([*live, None]), when=_random_moment(rng), prices=prices)
        elif action == "delete":
            service.delete_transaction(session, rng.choice(txs))
        elif action == "move":
            service.reassign_transaction(session, rng.choice(txs), rng.choice([*live, None]))
        elif len(live) > 2:
            survivor, merged = rng.sample(live, 2)
            merge_customers(session, survivor.id, [merged.id], reason="test")
        session.commit()
        assert sales_kept(session) == sales_from_transactions(session), f"step {step}: {action}"
    assert sales_kept(session) and rollups.problems(session) == []


def test_a_sale_on_the_last_microsecond_of_a_quarter_hour_counts_in_that_quarter_hour(
    session: Session,
) -> None:
    edge = datetime(2026, 5, 1, 23, 14, 59, 999999, tzinfo=UTC)
    make_sale(session, None, when=edge, prices=[Decimal("19.99")])
    make_sale(session, None, when=edge + timedelta(microseconds=1), prices=[Decimal("0.01")])
    session.commit()
    slot = quarter_hour(edge)
    assert sales_kept(session) == {slot: (1, 1999), slot + 1: (1, 1)}
    assert rollups.problems(session) == []


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["transaction_id", "member_id", "occurred_at", "total"]])
        csv.writer(stream).writerows(rows)
    return path


def test_csv_imports_that_add_and_change_sales_keep_the_rollup_exact(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    make_customer(session, member_id="M1")
    session.commit()
    first = [["T1", "M1", "2026-03-01 10:00", "42.50"], ["T2", "", "2026-03-01 10:14", "10"],
             ["T3", "M1", "2026-03-02 18:30", "7.25"]]  # fmt: skip
    import_csv(engine, "transactions", _write(tmp_path / "a.csv", first), settings)
    assert sales_kept(session) == sales_from_transactions(session)
    assert sum(n for n, _ in sales_kept(session).values()) == 3
    changed = [["T1", "M1", "2026-03-01 10:00", "40.00"],  # new total
               ["T2", "", "2026-03-05 09:00", "10"],  # new date
               ["T3", "M1", "2026-03-02 18:30", "7.25"],  # unchanged
               ["T4", "", "2026-03-05 09:05", "1.99"]]  # fmt: skip
    import_csv(engine, "transactions", _write(tmp_path / "b.csv", changed), settings)
    session.expire_all()
    assert sales_kept(session) == sales_from_transactions(session)
    assert sum(c for _, c in sales_kept(session).values()) == 4000 + 1000 + 725 + 199
    assert rollups.problems(session) == []


def test_the_demo_seed_fills_the_rollup(cli: CliRun, session: Session) -> None:
    cli("demo", "seed", "--scale", "0.02", "--seed", "3", "--end-date", "2026-04-30")
    kept = sales_kept(session)
    assert sum(n for n, _ in kept.values()) == 3_728
    assert kept == sales_from_transactions(session)


def test_a_rolled_back_sale_rolls_back_its_share_of_the_rollup(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        make_sale(session, make_customer(session), when=START, prices=[Decimal("10")])
        session.commit()
        before = sales_kept(session)
        make_sale(session, None, when=START, prices=[Decimal("99")])
        assert sales_kept(session)[quarter_hour(START)] == (2, 10900)  # same transaction
        session.rollback()
    with sessions() as session:
        assert sales_kept(session) == before == {quarter_hour(START): (1, 1000)}


def _drop_a_trigger(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER sales_rollup_insert"))
    else:
        session.execute(text("DROP TRIGGER sales_rollup ON transactions"))
    session.commit()


def test_check_names_a_drifted_rollup_and_a_lost_trigger_and_refresh_rollups_repairs_both(
    session: Session, cli: CliRun
) -> None:
    make_sale(session, make_customer(session), when=START, prices=[Decimal("10")])
    session.commit()
    cli("check")
    session.execute(SalesSlot.__table__.update().values(sales=7))
    _drop_a_trigger(session)
    result = cli("check", expect_exit=1)
    assert f"sales_rollup slot {quarter_hour(START)}: (sales, cents) (7, 1000)" in result.output
    assert "trigger sales_rollup" in result.output and "refresh-rollups" in result.output
    cli("db", "refresh-rollups")
    make_sale(session, None, when=START, prices=[Decimal("5")])  # the trigger is back
    session.commit()
    assert sales_kept(session) == {quarter_hour(START): (2, 1500)}
    cli("check")


def test_merging_customers_leaves_the_days_sales_where_they_were(session: Session) -> None:
    a, b = make_customer(session), make_customer(session)
    make_sale(session, a, when=START, prices=[Decimal("10")])
    make_sale(session, b, when=START + timedelta(days=1), prices=[Decimal("20")])
    session.commit()
    before = sales_kept(session)
    merge_customers(session, a.id, [b.id], reason="test")
    session.commit()
    assert session.get_one(Customer, a.id).visit_count == 2
    assert sales_kept(session) == before == sales_from_transactions(session)
