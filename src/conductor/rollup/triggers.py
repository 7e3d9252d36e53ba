"""The triggers that keep the rollups, for SQLite and PostgreSQL, in one place.

Migration 0007 installs them and ``conductor db refresh-rollups`` installs them again (a table
that Alembic's batch mode recreated on SQLite loses its triggers). Each trigger adds a row's
share to its slot with an upsert (``INSERT ... ON CONFLICT DO UPDATE``, both databases) and
subtracts the old share on delete or on an update of the columns it depends on; PostgreSQL also
empties a rollup when its base table is truncated.

Changing them: write a migration that calls :func:`install` again. (0007 calls it too, so a
database built from scratch gets the newest triggers at 0007 already; a change that needs a
column added later must first copy the old statements into 0007.)
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

SLOT_SQL = {
    "sqlite": "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) / 900)",
    "postgresql": "CAST(floor(EXTRACT(EPOCH FROM {0}) / 900) AS INTEGER)",
}
"""A timestamp column's quarter-hour slot. SQLite keeps timestamps as text and its date
functions round fractions of a second, so only the whole seconds are read."""
CENTS_SQL = "CAST(round({0} * 100) AS BIGINT)"
"""A money column in whole cents."""

NAMES = {
    "sqlite": (
        "sales_rollup_insert", "sales_rollup_delete", "sales_rollup_update",
        "message_rollup_insert", "message_rollup_delete", "message_rollup_update",
    ),
    "postgresql": ("sales_rollup", "sales_rollup_truncate", "message_rollup",
                   "message_rollup_truncate"),
}  # fmt: skip
_TABLES = {"sales_rollup": "transactions", "message_rollup": "messages"}


def _sqlite() -> list[str]:
    slot, cents = SLOT_SQL["sqlite"], CENTS_SQL
    sale = (
        "INSERT INTO sales_rollup (slot, sales, revenue_cents) "
        f"VALUES ({slot.format('NEW.occurred_at')}, 1, {cents.format('NEW.total')}) "
        "ON CONFLICT (slot) DO UPDATE SET sales = sales + 1, "
        "revenue_cents = revenue_cents + excluded.revenue_cents;"
    )
    unsale = (
        "UPDATE sales_rollup SET sales = sales - 1, "
        f"revenue_cents = revenue_cents - {cents.format('OLD.total')} "
        f"WHERE slot = {slot.format('OLD.occurred_at')};"
    )
    message = (
        "INSERT INTO message_rollup (slot, direction, messages) "
        f"VALUES ({slot.format('NEW.created_at')}, NEW.direction, 1) "
        "ON CONFLICT (slot, direction) DO UPDATE SET messages = messages + 1;"
    )
    unmessage = (
        "UPDATE message_rollup SET messages = messages - 1 "
        f"WHERE slot = {slot.format('OLD.created_at')} AND direction = OLD.direction;"
    )
    return [
        f"CREATE TRIGGER sales_rollup_insert AFTER INSERT ON transactions BEGIN {sale} END",
        f"CREATE TRIGGER sales_rollup_delete AFTER DELETE ON transactions BEGIN {unsale} END",
        "CREATE TRIGGER sales_rollup_update AFTER UPDATE OF occurred_at, total ON transactions "
        "WHEN OLD.occurred_at IS NOT NEW.occurred_at OR OLD.total IS NOT NEW.total "
        f"BEGIN {unsale} {sale} END",
        f"CREATE TRIGGER message_rollup_insert AFTER INSERT ON messages BEGIN {message} END",
        f"CREATE TRIGGER message_rollup_delete AFTER DELETE ON messages BEGIN {unmessage} END",
        "CREATE TRIGGER message_rollup_update AFTER UPDATE OF created_at, direction ON messages "
        "WHEN OLD.created_at IS NOT NEW.created_at OR OLD.direction IS NOT NEW.direction "
        f"BEGIN {unmessage} {message} END",
    ]


_PG_SALES = """
CREATE FUNCTION sales_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.occurred_at = NEW.occurred_at AND OLD.total = NEW.total THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE sales_rollup
           SET sales = sales - 1, revenue_cents = revenue_cents - {old_cents}
         WHERE slot = {old_slot};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sales_rollup AS r (slot, sales, revenue_cents)
        VALUES ({new_slot}, 1, {new_cents})
        ON CONFLICT (slot) DO UPDATE
           SET sales = r.sales + 1, revenue_cents = r.revenue_cents + excluded.revenue_cents;
    END IF;
    RETURN NULL;
END
$$"""

_PG_MESSAGES = """
CREATE FUNCTION message_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.created_at = NEW.created_at
       AND OLD.direction = NEW.direction THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE message_rollup SET messages = messages - 1
         WHERE slot = {old_slot} AND direction = OLD.direction;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO message_rollup AS r (slot, direction, messages)
        VALUES ({new_slot}, NEW.direction, 1)
        ON CONFLICT (slot, direction) DO UPDATE SET messages = r.messages + 1;
    END IF;
    RETURN NULL;
END
$$"""


def _postgresql() -> list[str]:
    slot = SLOT_SQL["postgresql"]
    out = [
        _PG_SALES.format(
            old_slot=slot.format("OLD.occurred_at"), new_slot=slot.format("NEW.occurred_at"),
            old_cents=CENTS_SQL.format("OLD.total"), new_cents=CENTS_SQL.format("NEW.total"),
        ),
        _PG_MESSAGES.format(
            old_slot=slot.format("OLD.created_at"), new_slot=slot.format("NEW.created_at")
        ),
    ]  # fmt: skip
    columns = {"sales_rollup": "occurred_at, total", "message_rollup": "created_at, direction"}
    for rollup, table in _TABLES.items():
        out += [
            f"CREATE TRIGGER {rollup} AFTER INSERT OR DELETE OR UPDATE OF {columns[rollup]} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {rollup}_apply()",
            f"CREATE FUNCTION {rollup}_clear() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN DELETE FROM {rollup}; RETURN NULL; END $$",
            f"CREATE TRIGGER {rollup}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {rollup}_clear()",
        ]
    return out


def drop_statements(dialect: str) -> list[str]:
    """Remove the triggers (and PostgreSQL's trigger functions), where they exist."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in NAMES["sqlite"]]
    out: list[str] = []
    for rollup, table in _TABLES.items():
        out += [
            f"DROP TRIGGER IF EXISTS {rollup}_truncate ON {table}",
            f"DROP TRIGGER IF EXISTS {rollup} ON {table}",
            f"DROP FUNCTION IF EXISTS {rollup}_clear()",
            f"DROP FUNCTION IF EXISTS {rollup}_apply()",
        ]
    return out


def install(connection: Connection) -> None:
    """(Re)create every rollup trigger, in the connection's transaction."""
    dialect = connection.dialect.name
    for statement in [
        *drop_statements(dialect),
        *(_sqlite() if dialect == "sqlite" else _postgresql()),
    ]:
        connection.execute(text(statement))


def missing(connection: Connection, names: Iterable[str]) -> list[str]:
    """Those of ``names`` the database has no trigger of."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    present = set(connection.scalars(text(query)))
    return [name for name in names if name not in present]
