"""Customers per tier, kept in one row by triggers, equal the customers after writes through
every path that changes a customer's tier: new customers (service, CSV import, demo seed), sales
recorded, deleted and moved, merges, imported sales; a rolled-back write leaves no trace; a
tampered row is reported and repaired."""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from conductor.config import Settings
from conductor.crm import analytics, reports, service
from conductor.crm.merge import merge_customers
from conductor.crm.models import Customer, Transaction
from conductor.importers.csv.service import import_csv
from conductor.rollup import service as rollups
from conductor.rollup.models import TierCounts
from conftest import CliRun
from factories import make_customer, make_sale

START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def _from_customers(session: Session) -> dict[str, int]:
    """Each unmerged customer's tier, by analytics.vip_tier, counted in Python."""
    session.expire_all()
    tiers = Counter(
        analytics.vip_tier(c.lifetime_value, c.visit_count)
        for c in session.scalars(select(Customer).where(Customer.merged_into_id.is_(None)))
    )
    return {name: tiers[name] for name in reports.TIERS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sales_deletions_moves_merges_and_new_customers_keep_the_counts(
    session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    for _ in range(5):
        make_customer(session)
    for step in range(60):
        live = session.scalars(select(Customer).where(Customer.merged_into_id.is_(None))).all()
        sales = session.scalars(select(Transaction)).all()
        action = rng.choice(["customer", "customer", "sale", "sale", "sale", "big sale",
                             "delete", "move", "merge"])  # fmt: skip
        if action == "customer" or not live:
            make_customer(session)
        elif action in ("sale", "big sale"):
            price = Decimal(rng.randint(100, 300000 if action == "big sale" else 40000)) / 100
            make_sale(session, rng.choice(live), when=START + timedelta(hours=step), prices=[price])
        elif action == "delete" and sales:
            service.delete_transaction(session, rng.choice(sales))
        elif action == "move" and sales:
            service.reassign_transaction(session, rng.choice(sales), rng.choice([*live, None]))
        elif action == "merge" and len(live) > 2:
            survivor, merged = rng.sample(live, 2)
            merge_customers(session, survivor.id, [merged.id], reason="test")
        session.commit()
        assert reports.customers_per_tier(session) == _from_customers(session), f"{step} {action}"
    assert len([n for n in reports.customers_per_tier(session).values() if n]) >= 3
    assert rollups.problems(session) == []


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def test_csv_imports_of_customers_and_sales_keep_the_counts(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    people = [["member_id", "first_name"], *([f"M{n}", f"Pat{n}"] for n in range(6))]
    import_csv(engine, "customers", _write(tmp_path / "c.csv", people), settings)
    assert reports.customers_per_tier(session)["New"] == 6
    sales = [
        ["transaction_id", "member_id", "occurred_at", "total"],
        ["T1", "M0", "2026-03-01 10:00", "600"],
        ["T2", "M1", "2026-03-01 11:00", "2500"],
        ["T3", "M1", "2026-03-02 11:00", "2600"],
        ["T4", "M2", "2026-03-02 12:00", "20"],
    ]
    import_csv(engine, "transactions", _write(tmp_path / "t.csv", sales), settings)
    want = {"New": 3, "Bronze": 1, "Silver": 1, "Gold": 0, "Platinum": 1}
    assert reports.customers_per_tier(session) == want == _from_customers(session)
    sales[2][3] = "26"  # a total corrected: M1 falls to Gold
    import_csv(engine, "transactions", _write(tmp_path / "t2.csv", sales), settings)
    assert reports.customers_per_tier(session) == _from_customers(session)
    assert reports.customers_per_tier(session)["Gold"] == 1


def test_the_demo_seed_fills_the_counts(cli: CliRun, session: Session) -> None:
    cli("demo", "seed", "--scale", "0.02", "--seed", "3", "--end-date", "2026-04-30")
    counts = reports.customers_per_tier(session)
    assert sum(counts.values()) == 201 and counts["Bronze"] > 0
    assert counts == _from_customers(session)


def test_a_rolled_back_first_sale_leaves_the_counts_as_they_were(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        customer = make_customer(session)
        session.commit()
        make_sale(session, customer, when=START, prices=[Decimal("900")])
        session.rollback()
    with sessions() as session:
        assert reports.customers_per_tier(session)["New"] == 1
        assert reports.customers_per_tier(session) == _from_customers(session)


def test_check_names_wrong_counts_and_refresh_rollups_repairs_them(
    session: Session, cli: CliRun
) -> None:
    make_sale(session, make_customer(session), when=START, prices=[Decimal("700")])
    session.commit()
    cli("check")
    session.execute(update(TierCounts).values(silver_count=9))
    session.commit()
    result = cli("check", expect_exit=1)
    assert "tier_rollup (0, 0, 9, 0, 0), the customers say (0, 0, 1, 0, 0)" in result.output
    cli("db", "refresh-rollups")
    assert reports.customers_per_tier(session)["Silver"] == 1
    make_sale(session, make_customer(session), when=START, prices=[Decimal("2000")])
    session.commit()  # the triggers are back
    assert reports.customers_per_tier(session) == _from_customers(session)
    cli("check")


def test_sales_adding_up_to_exactly_a_threshold_reach_its_tier(session: Session) -> None:
    """$145.37 + $67.41 + $106.13 + $112.90 + $68.19 = $500.00, which SQLite's floating-point
    sum stores as 499.99999999999994: still Silver, as vip_tier says."""
    customer = make_customer(session)
    for n, price in enumerate(("145.37", "67.41", "106.13", "112.90", "68.19")):
        make_sale(session, customer, when=START + timedelta(days=n), prices=[Decimal(price)])
    session.commit()
    assert analytics.vip_tier(customer.lifetime_value, customer.visit_count) == "Silver"
    assert reports.customers_per_tier(session)["Silver"] == 1
