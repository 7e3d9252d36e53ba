"""Idempotent batch upsert on a natural key: one SELECT, then executemany INSERT and UPDATE.

The stored rows of a batch are read with one ``IN`` query on the natural key; each record is
compared in Python with its stored row, column by column, and is new (inserted), different
(updated, only the columns the file has are written) or equal (unchanged, nothing written). So
importing a file twice writes nothing the second time, on SQLite and PostgreSQL alike, without
dialect-specific ``ON CONFLICT`` statements. A batch none of whose keys is stored yet (a first
import) goes to the database column by column as it was read, without a dict per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from conductor.importers.csv.bulk import executemany, one_of
from conductor.importers.csv.frame import Frame

Complete = Callable[[dict[str, Any], Mapping[str, Any] | None], None]
"""Derives extra columns of a record from it and its stored row (None when new), in place."""

Stored = Mapping[str, Any]


@dataclass
class Outcome:
    """What one batch did; ``tracked``: the values of the tracked column in every written row,
    before and after (for transactions: the customers whose cached analytics to refresh)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    tracked: set[Any] = field(default_factory=set)


def upsert(
    session: Session,
    table: Table,
    frame: Frame,
    complete: Complete | None = None,
    track: str | None = None,
) -> Outcome:
    """Insert the new rows, update the changed ones, count the rest as unchanged."""
    stored = _stored(session, table, frame.key, frame.keys)
    if not stored and complete is None:  # the usual first import: every row is new
        executemany(session, insert(table), frame.values)
        tracked = set(frame.values[track]) if track in frame.values else set()
        return Outcome(inserted=len(frame), tracked=tracked)
    outcome = Outcome()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, row in zip(frame.keys, frame.rows(), strict=True):
        old = stored.get(key)
        if complete is not None:
            complete(row, old)
        if old is None:
            inserts.append(row)
        elif any(old[column] != value for column, value in row.items()):
            updates.append({"_pk": old["id"], **row})
        else:
            outcome.unchanged += 1
            continue
        if track is not None:
            outcome.tracked.update(r[track] for r in (old, row) if r is not None and track in r)
    _insert(session, table, inserts)
    _update(session, table, updates)
    outcome.inserted, outcome.updated = len(inserts), len(updates)
    outcome.tracked.discard(None)
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


def _same_columns(rows: list[dict[str, Any]]) -> list[dict[str, list[Any]]]:
    """Rows as columns, grouped by their names: one executemany writes the same columns in every
    row. (Rows mapped from one file have the same columns by construction.)"""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return [
        {name: [row[name] for row in group] for name in names} for names, group in groups.items()
    ]
