"""Idempotent batch upsert on a natural key: one SELECT, then executemany INSERT and UPDATE.

The stored rows of a batch are read with one ``IN`` query on the natural key; each record is
compared in Python with its stored row, column by column, and is new (inserted), different
(updated, only the columns the file has are written) or equal (unchanged, nothing written). So
importing a file twice writes nothing the second time, on SQLite and PostgreSQL alike, without
dialect-specific ``ON CONFLICT`` statements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from conductor.importers.csv.bulk import executemany, one_of
from conductor.importers.csv.mapping import Record

Complete = Callable[[dict[str, Any], Mapping[str, Any] | None], None]
"""Derives extra columns of a record from it and its stored row (None when new), in place."""

Stored = Mapping[str, Any]


@dataclass
class Outcome:
    """What one batch did; ``changes`` pairs each written row's stored values with its new ones."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[tuple[Stored | None, dict[str, Any]]] = field(default_factory=list)


def upsert(
    session: Session,
    table: Table,
    key: str,
    records: Sequence[Record],
    complete: Complete | None = None,
) -> Outcome:
    """Insert the new records, update the changed ones, count the rest as unchanged."""
    stored = _stored(session, table, key, [r.key for r in records])
    outcome = Outcome()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for record in records:
        old = stored.get(record.key)
        row = record.values
        if complete is not None:
            complete(row, old)
        if old is None:
            inserts.append(row)
        elif any(old[column] != value for column, value in row.items()):
            updates.append({"_pk": old["id"], **row})
        else:
            outcome.unchanged += 1
            continue
        outcome.changes.append((old, row))
    _insert(session, table, inserts)
    _update(session, table, updates)
    outcome.inserted, outcome.updated = len(inserts), len(updates)
    return outcome


def _stored(session: Session, table: Table, key: str, keys: list[str]) -> dict[str, Stored]:
    if not keys:
        return {}
    rows = session.execute(select(table).where(one_of(session, table.c[key], keys))).mappings()
    return {row[key]: dict(row) for row in rows}


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    for group in _same_columns(rows):
        executemany(session, insert(table), group)


def _update(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    statement = update(table).where(table.c.id == bindparam("_pk"))
    for group in _same_columns(rows):
        executemany(session, statement, group)


def _same_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by their number of columns: one executemany needs the same keys in every row.

    Rows mapped from one file have the same columns by construction; a row of the same size but
    with other columns would make :func:`~.bulk.executemany` raise KeyError, never write wrongly.
    """
    groups: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(len(row), []).append(row)
    return list(groups.values())
