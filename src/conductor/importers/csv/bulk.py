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

import gc
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Insert,
    String,
    Update,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session


def executemany(
    session: Session, statement: Insert | Update, columns: Mapping[str, Sequence[Any]]
) -> None:
    """Run ``statement`` once per row of ``columns`` (equally long value lists by column name)
    in the session's transaction."""
    lengths = {len(values) for values in columns.values()}
    if not lengths or lengths == {0}:
        return
    (count,) = lengths  # ValueError if the columns differ in length
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
    names: list[str] = list(compiled.positiontup or compiled.binds)
    filled = _filled(statement, names, columns)
    converted: list[Sequence[Any]] = []
    for name in names:  # a column at a time: the conversions then run at C speed
        column = [filled[name]] * count if name in filled else columns[name]
        process = compiled.binds[name].type.bind_processor(dialect)
        converted.append(column if process is None else list(map(process, column)))
    parameters: list[Any] = list(zip(*converted, strict=True))
    if not compiled.positional:
        parameters = [dict(zip(names, values, strict=True)) for values in parameters]
    connection.exec_driver_sql(str(compiled), parameters)


def _filled(
    statement: Insert | Update, names: list[str], row: Mapping[str, object]
) -> dict[str, Any]:
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


@contextmanager
def bulk_load(connection: Connection, *, cache_mib: int = 64) -> Iterator[None]:
    """Tune the process and ``connection`` for a long bulk load, and undo it afterwards.

    Enter it before the load's transactions begin on ``connection`` and leave it after they end.

    * SQLite keeps ``cache_mib`` MiB of pages instead of its default 2 MiB: inserting into the
      indexes of a large table otherwise re-reads the same pages over and over;
    * the garbage collector leaves alone the objects that exist before the load (the ORM's
      metadata, mostly) and runs less often: a load allocates millions of short-lived objects
      without cycles, and each full collection would otherwise rescan everything.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
        connection.exec_driver_sql(f"PRAGMA cache_size = {-cache_mib * 1024}")
        connection.commit()  # end the autobegun transaction: the load opens its own
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
        if sqlite and not connection.in_transaction():
            connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")
            connection.commit()


def one_of(
    session: Session,
    column: ColumnElement[str] | InstrumentedAttribute[str],
    keys: Collection[str],
) -> ColumnElement[bool]:
    """``column IN keys`` with all the keys in one bound value.

    A batch looks thousands of natural keys up at once; expanding them into one parameter each
    costs SQLAlchemy more than the database's index probes. SQLite gets a JSON array read by
    ``json_each``, PostgreSQL an array compared with ``= ANY``; both still use the column's index.
    """
    if session.get_bind().dialect.name == "sqlite":
        array = func.json_each(bindparam(None, json.dumps(list(keys)), unique=True))
        return column.in_(select(array.table_valued("value").c.value))
    return column == any_(bindparam(None, list(keys), type_=ARRAY(String), unique=True))
