"""Portable SQL for what the two databases spell differently: date arithmetic, index hints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[float]):
    """``days_between(later, earlier)``: fractional days from ``earlier`` to ``later``."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    a, b = compiler.process(later, **kw), compiler.process(earlier, **kw)
    return f"(julianday({a}) - julianday({b}))"


@compiles(days_between, "postgresql")
def _days_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
        f"{compiler.process(earlier, **kw)})) / 86400.0)"
    )


class epoch_days(FunctionElement[float]):
    """``epoch_days(timestamp)``: fractional days since 1970-01-01 UTC."""

    type = Float()
    inherit_cache = True
    name = "epoch_days"


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(julianday({compiler.process(next(iter(element.clauses)), **kw)}) - 2440587.5)"


@compiles(epoch_days, "postgresql")
def _epoch_days_postgresql(element: epoch_days, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"(EXTRACT(EPOCH FROM {value}) / 86400.0)"


@compiles(Table, "sqlite")
def _table_with_index_hint(element: Table, compiler: SQLCompiler, **kw: Any) -> str:
    """Render a ``with_hint(table, "INDEXED BY ix_...", "sqlite")`` after the table's name (SQLite
    takes index hints there, and SQLAlchemy's SQLite dialect drops them). A query that must
    read one particular index says so: SQLite's planner otherwise picks by statistics that an
    un-ANALYZEd database does not have."""
    text = str(compiler.visit_table(element, **kw))  # type: ignore[no-untyped-call]
    hints = kw.get("fromhints") or {}
    if kw.get("asfrom") and element in hints:
        text += f" {hints[element]}"
    return text
