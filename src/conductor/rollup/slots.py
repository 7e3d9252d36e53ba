"""Quarter-hour slots: the rollups' unit of time, in Python and in SQL.

:func:`slot_at` numbers a moment in Python; :class:`slot_of` is the same number computed by the
database from a timestamp column, with the SQL the triggers use (:mod:`conductor.rollup.triggers`;
``23:14:59.999999`` stays in the 23:00 slot on both databases). :class:`cents_of` turns a money
column into whole cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from conductor.rollup.triggers import CENTS_SQL, SLOT_SQL

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


def day_number(table: str, ends: Sequence[datetime]) -> ColumnElement[int]:
    """Which of consecutive ranges a rollup row's slot falls in (``table``: the rollup's name):
    ``i`` for the first range whose end (an exclusive bound, on a quarter hour) is after the
    slot; NULL after the last one.

    A binary search written as nested CASEs, seven comparisons a row for 90 days rather than
    45 on average; the bounds go into the SQL as integers, as building and binding ninety
    parameters cost several times what the database then takes."""
    name, bounds = f"{table}.slot", [slot_start(end) for end in ends]

    def search(lo: int, hi: int) -> str:
        if hi - lo == 1:
            return str(lo)
        mid = (lo + hi) // 2
        below, above = search(lo, mid), search(mid, hi)
        return f"CASE WHEN {name} < {bounds[mid - 1]} THEN {below} ELSE {above} END"

    return literal_column(
        f"CASE WHEN {name} < {bounds[-1]} THEN {search(0, len(bounds))} END", Integer()
    )


class slot_of(FunctionElement[int]):
    """``slot_of(timestamp column)``: the slot of each row, in SQL."""

    type = BigInteger()
    inherit_cache = True
    name = "slot_of"


@compiles(slot_of)
def _slot(element: slot_of, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return SLOT_SQL[compiler.dialect.name].format(value)


class cents_of(FunctionElement[int]):
    """``cents_of(money column)``: the amount in whole cents, in SQL."""

    type = BigInteger()
    inherit_cache = True
    name = "cents_of"


@compiles(cents_of)
def _cents(element: cents_of, compiler: SQLCompiler, **kw: Any) -> str:
    return CENTS_SQL.format(compiler.process(next(iter(element.clauses)), **kw))
