"""sales and message rollups for the dashboard, kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:58:22.740699

Two tables count sales (and revenue in cents) and messages (per direction) per quarter hour of
UTC time; row triggers on ``transactions`` and ``messages`` keep them, on SQLite and PostgreSQL
(see :mod:`conductor.rollup.models` and :mod:`conductor.rollup.triggers`). The triggers are
created before the backfill: on PostgreSQL ``CREATE TRIGGER`` locks out writers until this
migration commits, so no sale or message can slip between the backfill and the triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from conductor.rollup import triggers

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _backfill(dialect: str) -> list[str]:
    slot, cents = triggers.SLOT_SQL[dialect], triggers.CENTS_SQL
    sale, message = slot.format("occurred_at"), slot.format("created_at")
    return [
        "INSERT INTO sales_rollup (slot, sales, revenue_cents) "
        f"SELECT {sale}, count(*), sum({cents.format('total')}) FROM transactions "
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
    connection = op.get_bind()
    triggers.install(connection)
    for statement in _backfill(connection.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in triggers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("message_rollup")
    op.drop_table("sales_rollup")
