"""sales and message rollups for the dashboard, kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:58:22.740699

Two tables count sales (and revenue in cents) and messages (per direction) per quarter hour of
UTC time; row triggers on ``transactions`` and ``messages`` keep them, on SQLite and PostgreSQL
(see :mod:`conductor.rollup.models`). The triggers are created before the backfill: on
PostgreSQL ``CREATE TRIGGER`` locks out writers until this migration commits, so no sale or
message can slip between the backfill and the triggers.

The SQL is written out here, as it stood at this revision; :mod:`conductor.rollup.slots`
computes the same slot and cents at read time, and the tests compare the two. A later migration
that makes Alembic recreate ``transactions`` or ``messages`` on SQLite (batch mode) drops their
triggers and must create them again (``conductor check`` names missing ones).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_SLOT = "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) / 900)"
PG_SLOT = "CAST(floor(EXTRACT(EPOCH FROM {0}) / 900) AS INTEGER)"
CENTS = "CAST(round({0} * 100) AS BIGINT)"


def _sqlite_triggers() -> list[str]:
    sale_slot, sale_cents = SQLITE_SLOT.format("{0}.occurred_at"), CENTS.format("{0}.total")
    add_sale = (
        "INSERT INTO sales_rollup (slot, sales, revenue_cents) "
        f"VALUES ({sale_slot}, 1, {sale_cents}) ON CONFLICT (slot) DO UPDATE SET "
        "sales = sales + 1, revenue_cents = revenue_cents + excluded.revenue_cents;"
    ).format("NEW")
    remove_sale = (
        f"UPDATE sales_rollup SET sales = sales - 1, revenue_cents = revenue_cents - {sale_cents} "
        f"WHERE slot = {sale_slot};"
    ).format("OLD")
    message_slot = SQLITE_SLOT.format("{0}.created_at")
    add_message = (
        "INSERT INTO message_rollup (slot, direction, messages) "
        f"VALUES ({message_slot}, {{0}}.direction, 1) ON CONFLICT (slot, direction) "
        "DO UPDATE SET messages = messages + 1;"
    ).format("NEW")
    remove_message = (
        "UPDATE message_rollup SET messages = messages - 1 "
        f"WHERE slot = {message_slot} AND direction = {{0}}.direction;"
    ).format("OLD")
    return [
        f"CREATE TRIGGER sales_rollup_insert AFTER INSERT ON transactions BEGIN {add_sale} END",
        f"CREATE TRIGGER sales_rollup_delete AFTER DELETE ON transactions BEGIN {remove_sale} END",
        "CREATE TRIGGER sales_rollup_update AFTER UPDATE OF occurred_at, total ON transactions "
        "WHEN OLD.occurred_at IS NOT NEW.occurred_at OR OLD.total IS NOT NEW.total "
        f"BEGIN {remove_sale} {add_sale} END",
        f"CREATE TRIGGER message_rollup_insert AFTER INSERT ON messages BEGIN {add_message} END",
        f"CREATE TRIGGER message_rollup_delete AFTER DELETE ON messages BEGIN {remove_message} END",
        "CREATE TRIGGER message_rollup_update AFTER UPDATE OF created_at, direction ON messages "
        "WHEN OLD.created_at IS NOT NEW.created_at OR OLD.direction IS NOT NEW.direction "
        f"BEGIN {remove_message} {add_message} END",
    ]


PG_SALES = """
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
$$
""".format(
    old_slot=PG_SLOT.format("OLD.occurred_at"),
    new_slot=PG_SLOT.format("NEW.occurred_at"),
    old_cents=CENTS.format("OLD.total"),
    new_cents=CENTS.format("NEW.total"),
)

PG_MESSAGES = """
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
$$
""".format(old_slot=PG_SLOT.format("OLD.created_at"), new_slot=PG_SLOT.format("NEW.created_at"))


def _postgresql_triggers() -> list[str]:
    out = [PG_SALES, PG_MESSAGES]
    for rollup, table, columns in (
        ("sales_rollup", "transactions", "occurred_at, total"),
        ("message_rollup", "messages", "created_at, direction"),
    ):
        out += [
            f"CREATE TRIGGER {rollup} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {rollup}_apply()",
            f"CREATE FUNCTION {rollup}_clear() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN DELETE FROM {rollup}; RETURN NULL; END $$",
            f"CREATE TRIGGER {rollup}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {rollup}_clear()",
        ]
    return out


def _backfill(slot: str) -> list[str]:
    sale, message = slot.format("occurred_at"), slot.format("created_at")
    return [
        "INSERT INTO sales_rollup (slot, sales, revenue_cents) "
        f"SELECT {sale}, count(*), sum({CENTS.format('total')}) FROM transactions "
        f"GROUP BY {sale}",
        "INSERT INTO message_rollup (slot, direction, messages) "
        f"SELECT {message}, direction, count(*) FROM messages GROUP BY {message}, direction",
    ]


def upgrade() -> None:
    op.create_table(
        "sales_rollup",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sales", sa.Integer(), server_default="0", nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_sales_rollup")),
    )
    op.create_table(
        "message_rollup",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("messages", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("slot", "direction", name=op.f("pk_message_rollup")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_triggers() if sqlite else _postgresql_triggers():
        op.execute(statement)
    for statement in _backfill(SQLITE_SLOT if sqlite else PG_SLOT):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for rollup in ("sales_rollup", "message_rollup"):
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {rollup}_{event}")
    else:
        for table, rollup in (("transactions", "sales_rollup"), ("messages", "message_rollup")):
            op.execute(f"DROP TRIGGER {rollup}_truncate ON {table}")
            op.execute(f"DROP TRIGGER {rollup} ON {table}")
            op.execute(f"DROP FUNCTION {rollup}_clear()")
            op.execute(f"DROP FUNCTION {rollup}_apply()")
    op.drop_table("message_rollup")
    op.drop_table("sales_rollup")
