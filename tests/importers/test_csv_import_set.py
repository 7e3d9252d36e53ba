"""``conductor import all DIR``: a whole POS export set in one command, in dependency order."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.crm.models import Customer, Product, Staff, Transaction, TransactionItem
from conductor.crm.stats import stale_customer_ids
from conductor.errors import InvalidInput
from conductor.importers.csv.layout import KINDS
from conductor.importers.csv.service import import_set
from conftest import CliRun

MODELS: dict[str, Any] = {
    "customers": Customer,
    "staff": Staff,
    "products": Product,
    "transactions": Transaction,
    "items": TransactionItem,
}
SET: dict[str, list[list[str]]] = {
    "customers": [["member_id", "first_name"], ["M1", "Ann"], ["M2", "Ben"]],
    "staff": [["staff_id", "first_name", "last_name", "role"], ["S1", "Kai", "Ro", "Lead"]],
    "products": [["product_id", "name"], ["P1", "Blue Dream"]],
    "transactions": [
        ["transaction_id", "member_id", "occurred_at", "total", "staff_id", "staff_name"],
        ["T1", "M1", "2024-03-09T10:00:00-08:00", "20.00", "S1", "Kai Ro"],
        ["T2", "M2", "2024-03-10T11:00:00-08:00", "12,50 EUR", "S1", "Kai Ro"],
        ["T3", "M2", "2024-03-11T12:00:00-08:00", "30.00", "S1", "Kai Ro"],
    ],
    "items": [
        ["line_id", "transaction_id", "product_id", "product_name", "quantity", "unit_price"],
        ["L1", "T1", "P1", "Blue Dream", "1", "20.00"],
        ["L2", "T2", "P1", "Blue Dream", "1", "12.50"],
        ["L3", "T3", "P1", "Blue Dream", "2", "15.00"],
    ],
}
"""A small export set; T2's total is not a number, so T2 and its item L2 are rejected."""


def write_set(directory: Path, files: dict[str, list[list[str]]] = SET) -> Path:
    directory.mkdir(exist_ok=True)
    for kind, rows in files.items():
        with (directory / f"{kind}.csv").open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream).writerows(rows)
    return directory


def rejects_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return [row[:2] for row in list(csv.reader(stream))[1:]]


def counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {k: session.scalar(select(func.count()).select_from(m)) or 0 for k, m in MODELS.items()}


def orphans(session: Session) -> list[str]:
    """Rows whose reference points at no row (what a foreign key would refuse)."""
    checks = {
        "transactions.customer_id": "SELECT count(*) FROM transactions t LEFT JOIN customers c "
        "ON c.id = t.customer_id WHERE t.customer_id IS NOT NULL AND c.id IS NULL",
        "transactions.staff_id": "SELECT count(*) FROM transactions t LEFT JOIN staff s "
        "ON s.id = t.staff_id WHERE t.staff_id IS NOT NULL AND s.id IS NULL",
        "transaction_items.transaction_id": "SELECT count(*) FROM transaction_items i "
        "LEFT JOIN transactions t ON t.id = i.transaction_id WHERE t.id IS NULL",
        "transaction_items.product_id": "SELECT count(*) FROM transaction_items i "
        "LEFT JOIN products p ON p.id = i.product_id WHERE i.product_id IS NOT NULL "
        "AND p.id IS NULL",
    }
    return [name for name, query in checks.items() if session.scalar(text(query))]


def test_the_set_is_imported_in_dependency_order_with_one_command(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    result = cli("import", "all", str(write_set(tmp_path / "export")))
    assert [line.split()[1] for line in result.output.splitlines() if line[:2] == "│ "] == [
        *KINDS,
        "total",
    ]
    assert counts(session) == {
        "customers": 2, "staff": 1, "products": 1, "transactions": 2, "items": 2
    }  # fmt: skip
    # staff came before the transactions that name S1: none was made up from a staff_name
    assert "staff rows named by transactions" not in result.output
    kai = session.scalars(select(Staff)).one()
    assert kai.role == "Lead"
    ann = session.scalars(select(Customer).where(Customer.member_id == "M1")).one()
    assert (ann.visit_count, str(ann.lifetime_value)) == (1, "20.00")
    assert stale_customer_ids(session) == []
    assert orphans(session) == []


def test_a_bad_row_is_rejected_with_its_line_and_the_rest_of_the_set_imports(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    directory = write_set(tmp_path / "export")
    result = cli("import", "all", str(directory))
    assert "transactions: 1 rows rejected" in result.output
    assert "items: 1 rows rejected" in result.output
    assert rejects_of(directory / "transactions.csv.rejects.csv") == [["3", "total: not a number"]]
    assert rejects_of(directory / "items.csv.rejects.csv") == [["3", "unknown transaction_id 'T2'"]]
    assert not (directory / "customers.csv.rejects.csv").exists()
    session.expire_all()
    assert sorted(session.scalars(select(Transaction.transaction_id))) == ["T1", "T3"]


def test_importing_the_set_again_changes_nothing(
    tmp_path: Path, engine: Engine, settings: Settings, session: Session
) -> None:
    directory = write_set(tmp_path / "export")
    first = import_set(engine, directory, settings)
    before = {kind: table_rows(session, model) for kind, model in MODELS.items()}
    again = import_set(engine, directory, settings)
    assert [s.kind for s in first] == [s.kind for s in again] == list(KINDS)
    assert [(s.inserted, s.updated) for s in again] == [(0, 0)] * len(KINDS)
    assert [s.unchanged for s in again] == [s.inserted for s in first]
    assert [s.rejected for s in again] == [0, 0, 0, 1, 1]
    assert {kind: table_rows(session, model) for kind, model in MODELS.items()} == before


def table_rows(session: Session, model: Any) -> list[tuple[Any, ...]]:
    session.expire_all()
    table = model.__table__
    return [tuple(r) for r in session.execute(select(table).order_by(table.c.id))]


def test_a_missing_file_is_named_and_nothing_is_imported(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    files = {kind: rows for kind, rows in SET.items() if kind not in ("items", "staff")}
    result = cli("import", "all", str(write_set(tmp_path / "export", files)), expect_exit=1)
    assert isinstance(result.exception, InvalidInput)
    assert "has no staff.csv, items.csv" in str(result.exception)
    assert counts(session) == dict.fromkeys(KINDS, 0)


def test_a_file_that_cannot_be_imported_stops_the_set_before_anything_is_written(
    tmp_path: Path, cli: CliRun, session: Session
) -> None:
    files = {**SET, "items": [["line_id", "quantity"], ["L1", "1"]]}
    result = cli("import", "all", str(write_set(tmp_path / "export", files)), expect_exit=1)
    assert "no transaction_id column" in str(result.exception)
    assert counts(session) == dict.fromkeys(KINDS, 0)


def test_a_missing_directory_is_a_file_level_error(tmp_path: Path, cli: CliRun) -> None:
    result = cli("import", "all", str(tmp_path / "nope"), expect_exit=1)
    assert "no such directory" in str(result.exception)


def test_rejects_of_a_set_can_go_to_another_directory(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    directory = write_set(tmp_path / "export")
    summaries = import_set(engine, directory, settings, rejects_dir=tmp_path / "rejected")
    paths = {s.kind: s.rejects_path for s in summaries if s.rejects_path}
    assert paths == {
        "transactions": tmp_path / "rejected" / "transactions.csv.rejects.csv",
        "items": tmp_path / "rejected" / "items.csv.rejects.csv",
    }
    assert not list(directory.glob("*.rejects.csv"))


def test_a_demo_export_round_trips_through_the_set_import(
    tmp_path: Path, cli: CliRun, engine: Engine, settings: Settings, session: Session
) -> None:
    directory = tmp_path / "export"
    cli("demo", "export", str(directory), "--scale", "0.005", "--end-date", "2026-04-30")
    cli("import", "all", str(directory))
    for kind in KINDS:
        with (directory / f"{kind}.csv").open(encoding="utf-8") as stream:
            assert counts(session)[kind] == sum(1 for _ in csv.reader(stream)) - 1, kind
    assert not list(directory.glob("*.rejects.csv"))
    assert stale_customer_ids(session) == []
    assert orphans(session) == []
    again = import_set(engine, directory, settings)
    assert [(s.inserted, s.updated, s.rejected) for s in again] == [(0, 0, 0)] * len(KINDS)
