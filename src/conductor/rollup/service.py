"""Rebuilding the rollups from their base tables, and checking that they agree.

The triggers keep the rollups (see :mod:`conductor.rollup.models`); nothing here runs on a
normal write. :func:`rebuild` installs the triggers again and recomputes every rollup in the
caller's database transaction (the caller commits; on PostgreSQL the base tables are locked
against writers until then): the repair for a rollup that drifted or a trigger that went
missing, ``conductor db refresh-rollups``. :func:`problems` recomputes them without writing and
names what disagrees, for ``conductor check`` and the tests.
"""

from __future__ import annotations

from sqlalchemy import Select, delete, func, insert, select, text
from sqlalchemy.orm import Session

from conductor.crm.models import Transaction
from conductor.messaging.models import Message
from conductor.rollup import tiers, triggers
from conductor.rollup.models import MessageSlot, SalesSlot, TierCounts
from conductor.rollup.slots import cents_of, slot_of


def _sales() -> Select[int, int, int]:
    t = Transaction
    slot = slot_of(t.occurred_at)
    return select(slot, func.count(), func.sum(cents_of(t.total))).group_by(slot)


def _messages() -> Select[int, str, int]:
    m = Message
    slot = slot_of(m.created_at)
    return select(slot, m.direction, func.count()).group_by(slot, m.direction)


def rebuild(session: Session) -> None:
    """Install the triggers again and recompute every rollup from its base table."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.execute(text("LOCK TABLE transactions, messages, customers IN SHARE MODE"))
    triggers.install(connection)
    tiers.install(connection)
    for table in (SalesSlot, MessageSlot, TierCounts):
        session.execute(delete(table))
    s, m = SalesSlot, MessageSlot
    session.execute(insert(s).from_select([s.slot, s.sales, s.revenue_cents], _sales()))
    session.execute(insert(m).from_select([m.slot, m.direction, m.messages], _messages()))
    session.execute(text(f"INSERT INTO tier_rollup (id, {', '.join(tiers.COLUMNS)}) "
                         f"{tiers.counts_sql()}"))  # fmt: skip


def tier_counts(session: Session) -> tuple[int, ...]:
    """The kept counts, lowest tier first (zeros before the first customer)."""
    row = session.execute(select(*(getattr(TierCounts, c) for c in tiers.COLUMNS))).first()
    return tuple(row) if row else (0,) * len(tiers.COLUMNS)


def missing_triggers(session: Session) -> list[str]:
    """Rollup triggers the database lacks (a table recreated without them)."""
    dialect = session.get_bind().dialect.name
    names = [*triggers.NAMES[dialect], *tiers.NAMES[dialect]]
    return triggers.missing(session.connection(), names)


def problems(session: Session, limit: int = 5) -> list[str]:
    """What is wrong with the rollups: missing triggers, slots that disagree (empty: none)."""
    found = [f"trigger {name} is missing" for name in missing_triggers(session)]
    counted = tuple(session.execute(text(tiers.counts_sql())).one())[1:]
    kept = tier_counts(session)
    if tuple(map(int, counted)) != kept:
        found.append(f"tier_rollup {kept}, the customers say {tuple(map(int, counted))}")
    sales = _differences(
        {(slot, ""): (n, int(cents)) for slot, n, cents in session.execute(_sales())},
        {(r.slot, ""): (r.sales, r.revenue_cents) for r in session.scalars(select(SalesSlot))},
        zero=(0, 0),
    )
    found += [
        f"sales_rollup slot {slot}: (sales, cents) {got}, the transactions say {want}"
        for (slot, _), want, got in sales
    ]
    messages = _differences(
        {(slot, d): (n,) for slot, d, n in session.execute(_messages())},
        {(r.slot, r.direction): (r.messages,) for r in session.scalars(select(MessageSlot))},
        zero=(0,),
    )
    found += [
        f"message_rollup slot {slot} {direction}: {got[0]}, the messages say {want[0]}"
        for (slot, direction), want, got in messages
    ]
    return found[:limit]


Key = tuple[int, str]
Counts = tuple[int, ...]


def _differences(
    expected: dict[Key, Counts], kept: dict[Key, Counts], *, zero: Counts
) -> list[tuple[Key, Counts, Counts]]:
    """(key, expected, kept) wherever they differ; a slot counted zero equals a missing one."""
    pairs = [(k, expected.get(k, zero), kept.get(k, zero)) for k in sorted({*expected, *kept})]
    return [(k, want, got) for k, want, got in pairs if want != got]
