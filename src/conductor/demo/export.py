"""Writing a demo dataset as a POS export: customers.csv, staff.csv, products.csv,
transactions.csv and items.csv, with exactly the canonical columns of
:mod:`conductor.importers.csv.layout`, in its order. Values are written the way a POS export
writes them: phones as typed, yes/no flags, ISO dates, local times with their UTC offset."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from conductor.demo.dataset import DemoData
from conductor.demo.spec import DemoSpec, ProgressFn, Row, no_progress
from conductor.importers.csv.layout import COLUMNS, KINDS

SOURCE_COLUMN = {
    "customers": {
        "phone": "phone_raw",
        "zip": "zip_code",
        "sms_opt_in": "sms_consent",
        "email_opt_in": "email_consent",
    },
}
"""Where a canonical column's value lives in the generated rows, when the names differ."""


def export_csv(
    directory: Path, spec: DemoSpec, *, progress: ProgressFn = no_progress
) -> dict[str, int]:
    """Write the five files for ``spec`` into ``directory`` (created if needed, files replaced);
    returns the rows written per file kind."""
    directory.mkdir(parents=True, exist_ok=True)
    data = DemoData(spec)
    staff_names = data.catalog.staff_names()
    with ExitStack() as stack:
        files = {
            kind: _CsvFile(stack.enter_context(_open(directory / f"{kind}.csv")), kind, spec.zone)
            for kind in KINDS
        }
        files["staff"].write(data.catalog.staff)
        files["products"].write(data.catalog.products)
        for batch in data.batches():
            files["customers"].write(batch.customers)
            files["transactions"].write(
                {**t, "staff_name": staff_names[t["staff_id"]]} for t in batch.transactions
            )
            files["items"].write(batch.items)
            progress("customers", files["customers"].rows, spec.customers)
    return {kind: f.rows for kind, f in files.items()}


def _open(path: Path) -> Any:
    return path.open("w", newline="", encoding="utf-8")


class _CsvFile:
    """One export file: writes its header at once, then rows in the canonical column order."""

    def __init__(self, stream: Any, kind: str, zone: ZoneInfo) -> None:
        self._writer = csv.writer(stream)
        self._zone = zone
        columns = list(COLUMNS[kind])
        sources = SOURCE_COLUMN.get(kind, {})
        self._sources = [sources.get(c, c) for c in columns]
        self._writer.writerow(columns)
        self.rows = 0

    def write(self, rows: Iterable[Row]) -> None:
        cell, sources = self._cell, self._sources
        for row in rows:
            self._writer.writerow([cell(row.get(source)) for source in sources])
            self.rows += 1

    def _cell(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, datetime):
            return value.astimezone(self._zone).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value)  # text, whole numbers, Decimal money with its two places
