"""Bulk INSERT and UPDATE straight through the driver's ``executemany``.

In a bulk load SQLAlchemy's per-row parameter bookkeeping costs about a third of the time the
database itself takes. :func:`executemany` therefore compiles the statement once with SQLAlchemy
(so it is the same SQL, with the same dialect details, as ``session.execute`` would send),
converts every value with its column type's own bind processor (a timestamp is stored exactly as
the ORM stores it: ``UTCDateTime`` still refuses naive values) and hands plain rows to the
driver. Column defaults and ``onupdate`` values the statement writes but the rows lack are
worked out once per call, as SQLAlchemy would for the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Insert, Update
from sqlalchemy.orm import Session


def executemany(
    session: Session, statement: Insert | Update, rows: Sequence[dict[str, Any]]
) -> None:
    """Run ``statement`` once per row (all rows have the same keys) in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]), for_executemany=True)
    names: list[str] = list(compiled.positiontup or compiled.binds)
    filled = _filled(statement, names, rows[0])
    if filled:
        rows = [{**filled, **row} for row in rows]
    processors = [
        (index, process)
        for index, name in enumerate(names)
        if (process := compiled.binds[name].type.bind_processor(dialect)) is not None
    ]
    get = itemgetter(*names)
    parameters: list[Any] = []
    for row in rows:
        values = list(get(row)) if len(names) > 1 else [get(row)]
        for index, process in processors:
            if values[index] is not None:
                values[index] = process(values[index])
        parameters.append(
            tuple(values) if compiled.positional else dict(zip(names, values, strict=True))
        )
    connection.exec_driver_sql(str(compiled), parameters)


def _filled(statement: Insert | Update, names: list[str], row: dict[str, Any]) -> dict[str, Any]:
    """Values for the columns the compiled statement writes but the rows do not name."""
    is_update = isinstance(statement, Update)
    table = statement.table
    filled: dict[str, Any] = {}
    for name in names:
        if name in row or name not in table.c:
            continue
        column = table.c[name]
        default = getattr(column, "onupdate" if is_update else "default", None)
        if default is None:
            continue
        arg: Any = getattr(default, "arg", None)
        # a callable default is wrapped by SQLAlchemy to take the execution context
        filled[name] = arg(None) if getattr(default, "is_callable", False) else arg
    return filled
