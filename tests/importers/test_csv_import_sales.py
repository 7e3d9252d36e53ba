"""``conductor import transactions|items``: references, merges, walk-ins and cached analytics."""

from __future__ import annotations

import csv
import sqlite3
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from conductor.config import Settings
from conductor.crm.models import Customer, Staff, Transaction, TransactionItem
from conductor.crm.stats import stale_customer_ids
from conductor.errors import InvalidInput
from conductor.importers.csv.service import import_csv
from conftest import CliRun

TX_HEADER = ["transaction_id", "member_id", "occurred_at", "total", "staff_id", "staff_name"]
ITEM_HEADER = ["line_id", "transaction_id", "product_id", "product_name", "quantity", "unit_price"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def rejects_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return [row[:2] for row in list(csv.reader(stream))[1:]]


@pytest.fixture
def shop(
    tmp_path: Path, engine: Engine, sessions: sessionmaker[Session], settings: Settings
) -> Path:
    """Customers M1, M2 and M3 (M3 merged into M2), staff S1, product P1 — imported."""
    imports = {
        "customers": [["member_id", "first_name"], ["M1", "Ann"], ["M2", "Ben"], ["M3", "Benny"]],
        "staff": [["staff_id", "first_name"], ["S1", "Kai"]],
        "products": [["product_id", "name", "brand"], ["P1", "Blue Dream", "MOTA"]],
    }
    for kind, rows in imports.items():
        import_csv(engine, kind, write_csv(tmp_path / f"{kind}.csv", rows), settings)
    with sessions() as session:
        ben, benny = (
            session.scalars(select(Customer).where(Customer.member_id == m)).one()
            for m in ("M2", "M3")
        )
        benny.merged_into_id = ben.id
        session.commit()
    return tmp_path


def by_key(session: Session) -> dict[str, Transaction]:
    session.expire_all()
    return {t.transaction_id: t for t in session.scalars(select(Transaction))}


def customer_id(session: Session, member_id: str) -> int:
    return session.scalars(select(Customer.id).where(Customer.member_id == member_id)).one()


def test_transactions_resolve_customers_staff_walk_ins_and_merges(
    shop: Path, cli: CliRun, session: Session
) -> None:
    path = write_csv(
        shop / "tx.csv",
        [
            TX_HEADER,
            ["T1", "M1", "2024-03-09 10:00", "$42.50", "S1", ""],
            ["T2", "", "3/9/2024 11:00 AM", "10", "S1", ""],  # walk-in
            ["T3", "M3", "1710007200000", "20", "S9", "Dee Jay Lo"],  # merged; unknown staff
        ],
    )
    result = cli("import", "transactions", str(path))
    assert "created 1 staff rows" in result.output
    got = by_key(session)
    assert got["T1"].customer_id == customer_id(session, "M1")
    assert got["T1"].occurred_at == datetime(2024, 3, 9, 18, 0, tzinfo=UTC)
    assert got["T1"].total == Decimal("42.50")
    assert got["T2"].customer_id is None
    assert got["T3"].customer_id == customer_id(session, "M2")
    dee = session.scalars(select(Staff).where(Staff.staff_id == "S9")).one()
    assert (dee.first_name, dee.last_name, got["T3"].staff_id) == ("Dee", "Jay Lo", dee.id)
    ben = session.get(Customer, customer_id(session, "M2"))
    assert ben is not None and (ben.visit_count, ben.lifetime_value) == (1, Decimal("20.00"))
    assert stale_customer_ids(session) == []


def test_an_unknown_member_id_is_rejected(
    shop: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    path = write_csv(
        shop / "tx.csv",
        [
            TX_HEADER,
            ["T1", "M404", "2024-03-09", "5", "", ""],
            ["T2", "M1", "2024-03-09", "5", "", ""],
        ],
    )
    summary = import_csv(engine, "transactions", path, settings)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert rejects_of(shop / "tx.csv.rejects.csv") == [["2", "unknown member_id 'M404'"]]
    assert list(by_key(session)) == ["T2"]


def test_non_numeric_money_is_rejected(shop: Path, engine: Engine, settings: Settings) -> None:
    path = write_csv(
        shop / "tx.csv",
        [
            TX_HEADER,
            ["T1", "M1", "2024-03-09", "12,50 EUR", "", ""],
            ["T2", "M1", "2024-03-09", "5", "", ""],
        ],
    )
    summary = import_csv(engine, "transactions", path, settings)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert rejects_of(shop / "tx.csv.rejects.csv") == [["2", "total: not a number"]]


def test_items_need_a_known_transaction_but_not_a_known_product(
    shop: Path, cli: CliRun, engine: Engine, settings: Settings, session: Session
) -> None:
    tx = write_csv(shop / "tx.csv", [TX_HEADER, ["T1", "M1", "2024-03-09", "60", "S1", ""]])
    import_csv(engine, "transactions", tx, settings)
    items = write_csv(
        shop / "items.csv",
        [
            ITEM_HEADER,
            ["L1", "T1", "P1", "Blue Dream", "2", "$20.00"],
            ["L2", "T1", "P999", "Gone Product", "1", "20"],
            ["L3", "T404", "P1", "Blue Dream", "1", "20"],
        ],
    )
    result = cli("import", "items", str(items))
    assert "1 rows rejected" in result.output
    assert rejects_of(shop / "items.csv.rejects.csv") == [["4", "unknown transaction_id 'T404'"]]
    session.expire_all()
    lines = {i.line_id: i for i in session.scalars(select(TransactionItem))}
    assert sorted(lines) == ["L1", "L2"]
    assert lines["L1"].product_id is not None and lines["L1"].quantity == Decimal("2")
    assert (lines["L2"].product_id, lines["L2"].product_name) == (None, "Gone Product")
    assert lines["L1"].transaction_id == by_key(session)["T1"].id
    again = import_csv(engine, "items", items, settings)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 1)


def test_reimporting_transactions_changes_nothing_and_moving_one_refreshes_both_customers(
    shop: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    rows = [
        TX_HEADER,
        ["T1", "M1", "2024-03-09", "10", "", ""],
        ["T2", "M1", "2024-03-10", "30", "", ""],
    ]
    path = write_csv(shop / "tx.csv", rows)
    import_csv(engine, "transactions", path, settings)
    again = import_csv(engine, "transactions", path, settings)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    rows[2][1] = "M2"  # T2 was Ann's, is Ben's
    moved = import_csv(engine, "transactions", write_csv(shop / "tx2.csv", rows), settings)
    assert (moved.updated, moved.unchanged) == (1, 1)
    session.expire_all()
    ann = session.get(Customer, customer_id(session, "M1"))
    ben = session.get(Customer, customer_id(session, "M2"))
    assert ann is not None and ben is not None
    assert (ann.visit_count, ann.lifetime_value) == (1, Decimal("10.00"))
    assert (ben.visit_count, ben.lifetime_value) == (1, Decimal("30.00"))
    assert stale_customer_ids(session) == []


def test_cached_analytics_are_fresh_after_a_multi_batch_import(
    shop: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    rows = [TX_HEADER] + [
        [
            f"T{i}",
            ("M1", "M2", "", "M3")[i % 4],
            f"2024-01-{1 + i % 28:02d} 12:00",
            f"{i}.25",
            "S1",
            "",
        ]
        for i in range(40)
    ]
    summary = import_csv(
        engine,
        "transactions",
        write_csv(shop / "tx.csv", rows),
        settings,
        batch_size=7,
        commit_rows=14,
    )
    assert summary.inserted == 40
    assert stale_customer_ids(session) == []
    ben = session.get(Customer, customer_id(session, "M2"))
    assert ben is not None and ben.visit_count == 20  # M2's own and merged M3's


def test_a_file_mixing_new_and_known_sales_inserts_updates_and_refreshes_their_customers(
    shop: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    first = [TX_HEADER, ["T1", "M1", "2024-03-09", "10", "", ""]]
    import_csv(engine, "transactions", write_csv(shop / "a.csv", first), settings)
    mixed = [
        TX_HEADER,
        ["T0", "M2", "2024-03-08", "5", "", ""],
        ["T1", "M2", "2024-03-09", "10", "", ""],  # known: moves from Ann to Ben
        ["T2", "M1", "2024-03-10", "7", "", ""],
    ]
    summary = import_csv(engine, "transactions", write_csv(shop / "b.csv", mixed), settings)
    assert (summary.inserted, summary.updated, summary.unchanged) == (2, 1, 0)
    got = by_key(session)
    assert sorted(got) == ["T0", "T1", "T2"]
    assert got["T1"].customer_id == customer_id(session, "M2")
    ann = session.get(Customer, customer_id(session, "M1"))
    ben = session.get(Customer, customer_id(session, "M2"))
    assert ann is not None and ben is not None
    assert (ann.visit_count, ann.lifetime_value) == (1, Decimal("7.00"))
    assert (ben.visit_count, ben.lifetime_value) == (2, Decimal("15.00"))
    assert stale_customer_ids(session) == []
    items = write_csv(
        shop / "items.csv",
        [ITEM_HEADER, ["L1", "T1", "P1", "Blue Dream", "1", "10"]],
    )
    import_csv(engine, "items", items, settings)
    more = write_csv(
        shop / "items2.csv",
        [
            ITEM_HEADER,
            ["L0", "T0", "P1", "Blue Dream", "1", "5"],
            ["L1", "T1", "P1", "Blue Dream", "1", "10"],
            ["L2", "T2", "", "Gift card", "1", "7"],
        ],
    )
    again = import_csv(engine, "items", more, settings)
    assert (again.inserted, again.updated, again.unchanged) == (2, 0, 1)


@pytest.mark.parametrize("failing", [False, True])
def test_foreign_keys_are_checked_again_after_an_import(
    failing: bool, shop: Path, engine: Engine, settings: Settings
) -> None:
    """On SQLite the import writes with foreign keys off: its connection goes back to the pool
    checking them again, also after an import that stopped half way, and no row dangles."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PRAGMA foreign_keys is SQLite's")
    tx = write_csv(shop / "tx.csv", [TX_HEADER, ["T1", "M1", "2024-03-09", "60", "S1", ""]])
    import_csv(engine, "transactions", tx, settings)
    rows = [ITEM_HEADER, ["L1", "T1", "P1", "Blue Dream", "2", "20"]]
    if failing:  # the file stops being CSV on line 3
        rows.append(["L2", "T1", "P1", "x" * 200_000, "1", "1"])
    items = write_csv(shop / "items.csv", rows)
    if failing:
        with pytest.raises(InvalidInput, match="line 3 cannot be read as CSV"):
            import_csv(engine, "items", items, settings)
    else:
        assert import_csv(engine, "items", items, settings).inserted == 1
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_reimporting_unchanged_files_never_waits_for_sqlite_s_write_lock(
    shop: Path, engine: Engine, settings: Settings, db_url: str
) -> None:
    """A file imported again writes nothing, so it runs while another writer holds the lock
    (the gateway storing a text, say)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    tx = write_csv(shop / "tx.csv", [TX_HEADER, ["T1", "M1", "2024-03-09", "60", "S1", ""]])
    items = write_csv(
        shop / "items.csv", [ITEM_HEADER, ["L1", "T1", "P1", "Blue Dream", "2", "20"]]
    )
    for kind, path in (("transactions", tx), ("items", items)):
        import_csv(engine, kind, path, settings)
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0.1, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        started = time.monotonic()
        for kind, path in (("transactions", tx), ("items", items)):
            assert import_csv(engine, kind, path, settings).unchanged == 1
        assert time.monotonic() - started < 5  # the busy timeout is 30 s
    finally:
        other.execute("ROLLBACK")
        other.close()
