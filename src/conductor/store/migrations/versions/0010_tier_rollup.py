"""customers per tier in one row kept by triggers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:45:00.000000

``tier_rollup`` holds how many customers each VIP tier has, kept by triggers on ``customers``
(:mod:`conductor.rollup.tiers`; deferred to the commit on PostgreSQL), filled here from the
customers already there. The tier card no longer counts the customers, so the index it read
(``ix_customers_tier``, 0009) goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from conductor.rollup import tiers

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_rollup",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(c, sa.Integer(), server_default="0", nullable=False) for c in tiers.COLUMNS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_rollup")),
    )
    tiers.install(op.get_bind())
    op.execute(f"INSERT INTO tier_rollup (id, {', '.join(tiers.COLUMNS)}) {tiers.counts_sql()}")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_tier")


def downgrade() -> None:
    unmerged = sa.text("merged_into_id IS NULL")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_tier", ["visit_count", "lifetime_value"],
                              sqlite_where=unmerged, postgresql_where=unmerged)  # fmt: skip
    for statement in tiers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("tier_rollup")
