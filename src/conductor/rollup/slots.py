"""Quarter-hour slots: the rollups' unit of time, in Python and in SQL.

:func:`slot_at` numbers a moment in Python; :class:`slot_of` is the same number computed by the
database from a timestamp column, spelled as the triggers of migration 0007 spell it (SQLite
reads the stored text to the whole second, so ``23:14:59.999999`` stays in the 23:00 slot;
PostgreSQL floors the exact epoch). :class:`cents_of` turns a money column into whole cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SLOT = timedelta(minutes=15)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_at(moment: datetime) -> int:
    """The slot holding ``moment`` (an aware datetime)."""
    return (moment - EPOCH) // SLOT


def slot_start(moment: datetime) -> int:
    """The slot that starts exactly at ``moment``; ValueError when no slot starts there."""
    if (moment - EPOCH) % SLOT:
        raise ValueError(f"{moment.isoformat()} is not on a quarter hour of UTC time")
    return slot_at(moment)


def day_number(slot: Any, ends: Sequence[datetime]) -> ColumnElement[int]:
    """Which of consecutive ranges a slot falls in: ``i`` for the first range whose end (an
    exclusive bound, on a quarter hour) is after the slot; NULL after the last one."""
    return case(*[(slot < slot_start(end), i) for i, end in enumerate(ends)])


class slot_of(FunctionElement[int]):
    """``slot_of(timestamp column)``: the slot of each row, in SQL."""

    type = BigInteger()
    inherit_cache = True
    name = "slot_of"


@compiles(slot_of, "sqlite")
def _slot_sqlite(element: slot_of, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"(CAST(strftime('%s', substr({value}, 1, 19)) AS INTEGER) / 900)"


@compiles(slot_of, "postgresql")
def _slot_postgresql(element: slot_of, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(floor(EXTRACT(EPOCH FROM {value}) / 900) AS INTEGER)"


class cents_of(FunctionElement[int]):
    """``cents_of(money column)``: the amount in whole cents, in SQL."""

    type = BigInteger()
    inherit_cache = True
    name = "cents_of"


@compiles(cents_of)
def _cents(element: cents_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(round({compiler.process(next(iter(element.clauses)), **kw)} * 100) AS BIGINT)"
