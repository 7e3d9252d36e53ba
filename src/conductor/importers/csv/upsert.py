"""Idempotent batch upsert on a natural key: new rows inserted, changed ones updated.

Each record is compared in Python with its stored row, column by column, and is new (inserted),
different (updated, only the columns the file has are written) or equal (unchanged, nothing
written). So importing a file twice writes nothing the second time, on SQLite and PostgreSQL
alike. Rows go to the database column by column as they were read when nothing is to be
compared (a first import), and as executemany INSERT and UPDATE otherwise.

Finding the stored rows costs an index lookup per key. They are read first, with one ``IN``
query per batch (PostgreSQL then loads new rows with ``COPY``). But on SQLite, when the batch's
first key is not stored (a first import, most likely), the batch is inserted first with
``ON CONFLICT DO NOTHING``, which looks each key up anyway, and stored rows are read only if
some row was not inserted: a first import reads nothing back. Under SQLite's write lock the rows
a statement inserts get ids above every earlier row, which tells them from the stored ones. (A
batch whose first key is stored, as in a file imported again, is read first: when nothing
changed, nothing is written and SQLite's write lock is never taken.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from conductor.importers.csv.bulk import executemany, insert_rows, one_of
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
    """Insert the new rows, update the changed ones, count the rest as unchanged.

    ``complete`` derives columns from a row and its stored row (so every stored row is read
    first); the values of the column ``track`` in every written row end in the outcome.
    """
    if not len(frame):
        return Outcome()
    sqlite_insert = complete is None and session.get_bind().dialect.name == "sqlite"
    if sqlite_insert and not _stored(session, table, frame.key, frame.keys[:1]):
        return _insert_first(session, table, frame, track)
    stored = _stored(session, table, frame.key, frame.keys)
    if not stored and complete is None:  # the usual first import: every row is new
        insert_rows(session, table, frame.values)
        return Outcome(inserted=len(frame), tracked=_values(frame, track))
    return _compare(session, table, frame, stored, complete, track)


def _insert_first(session: Session, table: Table, frame: Frame, track: str | None) -> Outcome:
    """SQLite: insert the rows whose key is new, then compare the others with their stored rows."""
    before = session.scalar(select(func.max(table.c.id))) or 0
    statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=[table.c[frame.key]])
    inserted = executemany(session, statement, frame.values)
    if inserted == len(frame):
        return Outcome(inserted=inserted, tracked=_values(frame, track))
    stored = {
        key: row
        for key, row in _stored(session, table, frame.key, frame.keys).items()
        if row["id"] <= before
    }
    kept = [i for i, key in enumerate(frame.keys) if key in stored]
    outcome = _compare(session, table, frame.take(kept), stored, None, track)
    outcome.inserted = inserted
    outcome.tracked |= _values(frame.without(kept), track)
    return outcome


def _compare(
    session: Session,
    table: Table,
    frame: Frame,
    stored: dict[str, Stored],
    complete: Complete | None,
    track: str | None,
) -> Outcome:
    """Each row against its stored row: inserted, updated or unchanged."""
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


def _values(frame: Frame, column: str | None) -> set[Any]:
    """The values of ``column`` in the frame's rows (none if it has no such column), not None."""
    values = set(frame.values[column]) if column in frame.values else set()
    values.discard(None)
    return values


def _stored(session: Session, table: Table, key: str, keys: list[str]) -> dict[str, Stored]:
    """The stored rows with these keys, by key (plain tuples zipped with the column names: a
    mapping per row from the result costs more than the query)."""
    if not keys:
        return {}
    result = session.connection().execute(select(table).where(one_of(session, table.c[key], keys)))
    names = list(result.keys())
    at = names.index(key)
    return {row[at]: dict(zip(names, row, strict=True)) for row in result.all()}


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
