"""win-back columns and partial indexes for the dashboard

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:22:47.092727

Two cached columns on ``customers`` for the win-back queue (``lapse_day``, ``win_back_value``:
see :mod:`conductor.crm.winback`), filled here from the cached visits, value and visit times as
:mod:`conductor.crm.stats` fills them from now on; two partial indexes over them for the
reachable regulars, and one over the unmerged customers' visits and value for the tier counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

EPOCH_DAYS = {
    "sqlite": "(julianday({0}) - 2440587.5)",
    "postgresql": "(EXTRACT(EPOCH FROM {0}) / 86400.0)",
}
TRUE = {"sqlite": "1", "postgresql": "true"}


def _backfill(dialect: str) -> str:
    last, first = (EPOCH_DAYS[dialect].format(c) for c in ("last_visit_at", "first_visit_at"))
    return (
        f"UPDATE customers SET lapse_day = {last} + 2 * ({last} - {first}) / (visit_count - 1), "
        "win_back_value = CAST(lifetime_value AS FLOAT) * visit_count * 30.0 "
        f"/ ({last} - {first} + 30.0) WHERE visit_count >= 2"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lapse_day", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("win_back_value", sa.Float(), nullable=True))
    op.execute(_backfill(dialect))
    unmerged = sa.text("merged_into_id IS NULL")
    reachable = sa.text(
        f"merged_into_id IS NULL AND sms_consent IS {TRUE[dialect]} AND phone IS NOT NULL "
        "AND visit_count >= 2"
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_tier", ["visit_count", "lifetime_value"],
                              sqlite_where=unmerged, postgresql_where=unmerged)  # fmt: skip
        batch_op.create_index("ix_customers_win_back_lapse", [
            "lapse_day", "last_visit_at", "visit_count", "sms_consent", "merged_into_id", "phone"
        ], sqlite_where=reachable, postgresql_where=reachable)  # fmt: skip
        batch_op.create_index("ix_customers_win_back_value", ["win_back_value"],
                              sqlite_where=reachable, postgresql_where=reachable)  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_win_back_value")
        batch_op.drop_index("ix_customers_win_back_lapse")
        batch_op.drop_index("ix_customers_tier")
    # Plain ALTER TABLE (SQLite 3.35+): batch mode would copy the table, and dropping the old
    # copy fails while transactions and messages point at customers.
    op.execute("ALTER TABLE customers DROP COLUMN win_back_value")
    op.execute("ALTER TABLE customers DROP COLUMN lapse_day")
