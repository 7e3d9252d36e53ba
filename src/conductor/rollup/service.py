"""Rebuilding the rollups from their base tables, and checking that they agree.

The triggers keep the rollups (see :mod:`conductor.rollup.models`); nothing here runs on a
normal write. :func:`rebuild` installs the triggers again and recomputes both tables in the
caller's database transaction (the caller commits): the repair for a rollup that drifted or a
trigger that went missing, ``conductor db refresh-rollups``.
:func:`problems` recomputes them without writing and names what disagrees, for
``conductor check`` and the tests.
"""

from __future__ import annotations

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from conductor.crm.models import Transaction
from conductor.messaging.models import Message
from conductor.rollup import triggers
from conductor.rollup.models import MessageSlot, SalesSlot
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
    """Install the triggers again and recompute both rollups from ``transactions`` and
    ``messages``."""
    triggers.install(session.connection())
    session.execute(delete(SalesSlot))
    session.execute(delete(MessageSlot))
    s, m = SalesSlot, MessageSlot
    session.execute(insert(s).from_select([s.slot, s.sales, s.revenue_cents], _sales()))
    session.execute(insert(m).from_select([m.slot, m.direction, m.messages], _messages()))


def problems(session: Session, limit: int = 5) -> list[str]:
    """What is wrong with the rollups: missing triggers, slots that disagree (empty: none)."""
    found = [f"trigger {name} is missing" for name in triggers.missing(session.connection())]
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
