"""Bulk INSERT and UPDATE straight through the driver's ``executemany`` (or ``COPY``).

In a bulk load SQLAlchemy's per-row parameter bookkeeping costs about a third of the time the
database itself takes. :func:`executemany` therefore compiles the statement once with SQLAlchemy
(so it is the same SQL, with the same dialect details, as ``session.execute`` would send),
converts every value, a column at a time, with its column type's own bind processor (a
timestamp is stored exactly as the ORM stores it: ``UTCDateTime`` still refuses naive values) and
hands plain rows to the driver. Column defaults and ``onupdate`` values the statement writes but
the rows lack are worked out once per call, as SQLAlchemy would for the batch.
:func:`insert_rows` sends the same rows to PostgreSQL with ``COPY``. :func:`bulk_load` tunes the
connection and the process for a long load, :func:`check_references` proves what SQLite did not
check during it, and :func:`one_of` looks thousands of keys up with one bound value.
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
    Table,
    Update,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler

from conductor.errors import DatabaseError


def executemany(
    session: Session, statement: Insert | Update, columns: Mapping[str, Sequence[Any]]
) -> int:
    """Run ``statement`` once per row of ``columns`` (equally long value lists by column name)
    in the session's transaction; how many rows it inserted or updated."""
    prepared = _prepare(session, statement, columns)
    if prepared is None:
        return 0
    compiled, names, rows = prepared
    parameters: list[Any] = rows
    if not isinstance(compiled, SQLCompiler) or not compiled.positional:
        parameters = [dict(zip(names, values, strict=True)) for values in rows]
    return session.connection().exec_driver_sql(str(compiled), parameters).rowcount


def insert_rows(session: Session, table: Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """INSERT every row of ``columns`` into ``table``: with ``COPY`` on PostgreSQL (a tenth of
    the time of an INSERT per row; triggers and foreign keys are checked the same), else
    :func:`executemany`."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        executemany(session, insert(table), columns)
        return
    prepared = _prepare(session, insert(table), columns)
    if prepared is None:
        return
    _, names, rows = prepared
    quote = connection.dialect.identifier_preparer.quote
    targets = ", ".join(quote(table.c[name].name) for name in names)
    statement = f"COPY {quote(table.name)} ({targets}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _prepare(
    session: Session, statement: Insert | Update, columns: Mapping[str, Sequence[Any]]
) -> tuple[Compiled, list[str], list[tuple[Any, ...]]] | None:
    """The statement compiled for these columns, its parameter names in order and the rows
    converted for the driver (None when there are no rows)."""
    lengths = {len(values) for values in columns.values()}
    if not lengths or lengths == {0}:
        return None
    (count,) = lengths  # ValueError if the columns differ in length
    dialect = session.connection().dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
    names: list[str] = list(compiled.positiontup or compiled.binds)
    filled = _filled(statement, names, columns)
    converted: list[Sequence[Any]] = []
    for name in names:  # a column at a time: the conversions then run at C speed
        column = [filled[name]] * count if name in filled else columns[name]
        process = compiled.binds[name].type.bind_processor(dialect)
        converted.append(column if process is None else list(map(process, column)))
    return compiled, names, list(zip(*converted, strict=True))


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
    * SQLite does not check foreign keys on this connection: the importer has resolved every
      reference itself, in the same transaction (:mod:`.refs`), and :func:`check_references`
      proves it before the load's last commit. (A writer that changed a referenced row in the
      meantime makes SQLite refuse the load's next write: a transaction that has read cannot
      write over a newer commit.) Checking each row again costs a tenth of the inserts' time;
    * SQLite copies the write-ahead log into the database every :data:`CHECKPOINT_PAGES` pages
      instead of 1,000, so a page the load keeps changing is copied fewer times;
    * the garbage collector leaves alone the objects that exist before the load (the ORM's
      metadata, mostly) and runs less often: a load allocates millions of short-lived objects
      without cycles, and each full collection would otherwise rescan everything.

    The connection goes back to the pool as it came (if that cannot be done, it is discarded).
    """
    sqlite = connection.dialect.name == "sqlite"
    previous: dict[str, int] = {}
    if sqlite:
        wanted = {
            "cache_size": -cache_mib * 1024,
            "foreign_keys": 0,
            "wal_autocheckpoint": CHECKPOINT_PAGES,
        }
        previous = {name: _pragma(connection, name) for name in wanted}
        _set_pragmas(connection, wanted)  # ends the autobegun transaction: the load opens its own
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
        if sqlite:
            _restore_pragmas(connection, previous)


CHECKPOINT_PAGES = 10_000
"""Pages of write-ahead log (4 KiB each) after which a bulk load's commit checkpoints."""


def check_references(session: Session, table: Table) -> None:
    """DatabaseError if a row of ``table`` refers to a row that does not exist.

    For a load with SQLite's foreign keys off (:func:`bulk_load`); PostgreSQL has checked each
    row as it was written, so there this does nothing.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    broken = session.connection().exec_driver_sql(f"PRAGMA foreign_key_check({table.name})")
    rows = broken.all()
    if rows:
        _, rowid, parent, _ = rows[0]
        raise DatabaseError(
            f"{len(rows)} rows of {table.name} refer to rows that do not exist (the first: "
            f"row {rowid}, in {parent}); the import's last transaction was rolled back"
        )


def _pragma(connection: Connection, name: str) -> int:
    return int(connection.exec_driver_sql(f"PRAGMA {name}").scalar_one())


def _set_pragmas(connection: Connection, values: dict[str, int]) -> None:
    """Set SQLite pragmas outside any transaction (foreign_keys is ignored inside one)."""
    if connection.in_transaction():
        connection.commit()
    for name, value in values.items():
        connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    connection.commit()


def _restore_pragmas(connection: Connection, previous: dict[str, int]) -> None:
    """Put the pragmas back, or discard the connection rather than pool it with other ones."""
    try:
        if connection.in_transaction():
            connection.rollback()  # the load's session has ended: nothing of it is left here
        _set_pragmas(connection, previous)
        restored = all(_pragma(connection, name) == value for name, value in previous.items())
    except DBAPIError:
        restored = False
    if not restored:
        connection.invalidate()


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
