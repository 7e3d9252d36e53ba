"""``conductor demo export DIR``: the demo dataset as a POS export the CSV importer reads."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import Result

from conductor.crm.phone import normalize_phone
from conductor.importers.csv.layout import COLUMNS, KINDS

CliRun = Callable[..., Result]
ARGS = ("--scale", "0.02", "--seed", "4", "--end-date", "2026-04-30")


def export(cli: CliRun, directory: Path, *args: str) -> Result:
    return cli("demo", "export", str(directory), *(args or ARGS))


def read(directory: Path, kind: str) -> tuple[list[str], list[dict[str, str]]]:
    with (directory / f"{kind}.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def test_export_writes_the_five_files_with_the_canonical_headers(
    cli: CliRun, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = export(cli, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.csv" for k in KINDS)
    sizes = {}
    for kind in KINDS:
        header, rows = read(out, kind)
        assert header == list(COLUMNS[kind]), kind
        sizes[kind] = len(rows)
    assert sizes["customers"] == 201 and sizes["transactions"] == 3_728
    assert sizes["staff"] == 30 and sizes["products"] == 1_700
    assert f"{sizes['items']:,}" in result.output


def test_exported_rows_reference_each_other(cli: CliRun, tmp_path: Path) -> None:
    export(cli, tmp_path)
    _, customers = read(tmp_path, "customers")
    _, staff = read(tmp_path, "staff")
    _, products = read(tmp_path, "products")
    _, sales = read(tmp_path, "transactions")
    _, items = read(tmp_path, "items")
    members = {c["member_id"] for c in customers}
    names = {s["staff_id"]: f"{s['first_name']} {s['last_name']}" for s in staff}
    assert all(t["member_id"] in members for t in sales if t["member_id"])
    assert sum(t["member_id"] == "" for t in sales) == round(3_728 * 0.05)
    assert all(names[t["staff_id"]] == t["staff_name"] for t in sales)
    sale_ids = {t["transaction_id"] for t in sales}
    product_ids = {p["product_id"] for p in products}
    assert all(i["transaction_id"] in sale_ids and i["product_id"] in product_ids for i in items)


def test_exported_values_are_written_like_a_pos_export(cli: CliRun, tmp_path: Path) -> None:
    export(cli, tmp_path)
    _, customers = read(tmp_path, "customers")
    _, sales = read(tmp_path, "transactions")
    _, products = read(tmp_path, "products")
    assert {c["sms_opt_in"] for c in customers} == {"yes", "no"}
    assert {c["email_opt_in"] for c in customers} == {"yes", "no"}
    phones = [c["phone"] for c in customers if c["phone"]]
    assert any(p.startswith("(") for p in phones) and any(p.isdigit() for p in phones)
    assert sum(normalize_phone(p) != p for p in phones) > len(phones) / 2  # as typed
    assert any(c["phone"] == "" for c in customers)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["date_joined"]) for c in customers)
    for t in sales:
        at = datetime.fromisoformat(t["occurred_at"])
        assert at.utcoffset() in (timedelta(hours=-7), timedelta(hours=-8))
        assert 9 <= at.hour < 21
        assert re.fullmatch(r"\d+\.\d{2}", t["total"])
    assert {p["active"] for p in products} == {"yes", "no"}
    assert any(p["brand"] == "MOTA" for p in products)


def test_the_same_seed_exports_the_same_bytes(cli: CliRun, tmp_path: Path) -> None:
    export(cli, tmp_path / "a")
    export(cli, tmp_path / "b")
    other = ("--scale", "0.02", "--seed", "5", "--end-date", "2026-04-30")
    export(cli, tmp_path / "c", *other)
    for kind in KINDS:
        a = (tmp_path / "a" / f"{kind}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{kind}.csv").read_bytes(), kind
    assert (tmp_path / "a" / "transactions.csv").read_bytes() != (
        tmp_path / "c" / "transactions.csv"
    ).read_bytes()
