"""Customers per VIP tier: one row of five counts, kept by triggers on ``customers``.

A customer's tier (:func:`conductor.crm.analytics.vip_tier`) follows from two cached columns,
``visit_count`` and ``lifetime_value``; merged customers count in no tier. Counting 100,000
customers on every view of the dashboard took 20-40 ms, so ``tier_rollup`` keeps the counts,
and triggers move a customer from one count to another when an insert, a delete, or an update
of ``visit_count``, ``lifetime_value`` or ``merged_into_id`` changes their tier. The tier is
written into the triggers' SQL from :data:`~conductor.crm.analytics.TIER_THRESHOLDS`: after a
change of thresholds, install them again and rebuild (``conductor db refresh-rollups``;
``conductor check`` says so, as the counts then disagree with the customers).

One row rather than one per tier, and on PostgreSQL the triggers are deferred to the commit
(``CREATE CONSTRAINT TRIGGER ... DEFERRABLE INITIALLY DEFERRED``): the row is then the last
thing a transaction locks, after every customer it changed, so two writers can never deadlock
over it; writers that change tiers only queue for it while they commit. What that means: on
PostgreSQL the counts move when the transaction commits, and the writing transaction itself
still reads the old ones. SQLite, one writer at a time, moves them at once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, text

from conductor.crm.analytics import TIER_THRESHOLDS

TIERS = ("New", "Bronze", *(name for _, name in reversed(TIER_THRESHOLDS)))
"""Every tier, lowest first: New, Bronze, Silver, Gold, Platinum (the columns of the row)."""
COLUMNS = tuple(f"{name.lower()}_count" for name in TIERS)
NAMES = {
    "sqlite": ("tier_rollup_insert", "tier_rollup_delete", "tier_rollup_update"),
    "postgresql": ("tier_rollup", "tier_rollup_truncate"),
}
WATCHED = "visit_count, lifetime_value, merged_into_id"
HALF_CENT = Decimal("0.005")


def tier_sql(row: str) -> str:
    """The tier number (index in :data:`TIERS`) of ``row`` (``NEW``, ``OLD``, a table), NULL
    for a merged customer, as SQL.

    Values are whole cents, compared with the threshold less half a cent: SQLite keeps
    ``lifetime_value`` as a floating-point sum (500.00 may be stored 499.99999999999994), and
    :func:`~conductor.crm.analytics.vip_tier` sees it rounded to cents."""
    ranks = " ".join(
        f"WHEN {row}.lifetime_value >= {threshold - HALF_CENT} THEN {TIERS.index(name)}"
        for threshold, name in TIER_THRESHOLDS
    )
    return (
        f"(CASE WHEN {row}.merged_into_id IS NOT NULL THEN NULL "
        f"WHEN {row}.visit_count = 0 THEN 0 {ranks} ELSE 1 END)"
    )


def _upsert(before: str, after: str, is_: str) -> str:
    """Add one to the ``after`` tier's count and take one from the ``before`` tier's."""
    deltas = ", ".join(
        f"CAST(({after} {is_} {i}) AS INTEGER) - CAST(({before} {is_} {i}) AS INTEGER)"
        for i in range(len(TIERS))
    )
    sets = ", ".join(f"{c} = tier_rollup.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO tier_rollup (id, {', '.join(COLUMNS)}) VALUES (1, {deltas}) "
        f"ON CONFLICT (id) DO UPDATE SET {sets};"
    )


def _sqlite() -> list[str]:
    new, old = tier_sql("NEW"), tier_sql("OLD")
    return [
        "CREATE TRIGGER tier_rollup_insert AFTER INSERT ON customers "
        f"BEGIN {_upsert('NULL', new, 'IS')} END",
        "CREATE TRIGGER tier_rollup_delete AFTER DELETE ON customers "
        f"BEGIN {_upsert(old, 'NULL', 'IS')} END",
        f"CREATE TRIGGER tier_rollup_update AFTER UPDATE OF {WATCHED} ON customers "
        f"WHEN {old} IS NOT {new} BEGIN {_upsert(old, new, 'IS')} END",
    ]


def _postgresql() -> list[str]:
    same = "IS NOT DISTINCT FROM"
    return [
        "CREATE FUNCTION tier_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "DECLARE before_tier integer; after_tier integer;\n"
        "BEGIN\n"
        f"    IF TG_OP IN ('UPDATE', 'DELETE') THEN before_tier := {tier_sql('OLD')}; END IF;\n"
        f"    IF TG_OP IN ('UPDATE', 'INSERT') THEN after_tier := {tier_sql('NEW')}; END IF;\n"
        f"    IF before_tier {same} after_tier THEN RETURN NULL; END IF;\n"
        f"    {_upsert('before_tier', 'after_tier', same)}\n"
        "    RETURN NULL;\n"
        "END\n$$",
        f"CREATE CONSTRAINT TRIGGER tier_rollup AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} "
        "ON customers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION tier_rollup_apply()",
        "CREATE FUNCTION tier_rollup_clear() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM tier_rollup; RETURN NULL; END $$",
        "CREATE TRIGGER tier_rollup_truncate AFTER TRUNCATE ON customers "
        "FOR EACH STATEMENT EXECUTE FUNCTION tier_rollup_clear()",
    ]


def drop_statements(dialect: str) -> list[str]:
    """Remove the triggers (and PostgreSQL's trigger functions), where they exist."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in NAMES["sqlite"]]
    return [
        "DROP TRIGGER IF EXISTS tier_rollup_truncate ON customers",
        "DROP TRIGGER IF EXISTS tier_rollup ON customers",
        "DROP FUNCTION IF EXISTS tier_rollup_clear()",
        "DROP FUNCTION IF EXISTS tier_rollup_apply()",
    ]


def install(connection: Connection) -> None:
    """(Re)create the tier triggers, in the connection's transaction."""
    dialect = connection.dialect.name
    for statement in [
        *drop_statements(dialect),
        *(_sqlite() if dialect == "sqlite" else _postgresql()),
    ]:
        connection.execute(text(statement))


def counts_sql() -> str:
    """The five counts recomputed from ``customers``, as one SELECT (for the backfill)."""
    tier = tier_sql("customers")
    sums = ", ".join(
        f"COALESCE(SUM(CASE WHEN {tier} = {i} THEN 1 END), 0)" for i in range(len(TIERS))
    )
    return f"SELECT 1, {sums} FROM customers"
