"""The rollups as the triggers kept them, and as recomputed in Python from the base tables
(independently of the SQL in conductor.rollup), for the drift tests."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.crm.models import Transaction
from conductor.messaging.models import Message
from conductor.rollup.models import MessageSlot, SalesSlot


def quarter_hour(moment: datetime) -> int:
    """Quarter hours since 1970-01-01 UTC, from the whole seconds."""
    return calendar.timegm(moment.utctimetuple()) // 900


def sales_from_transactions(session: Session) -> dict[int, tuple[int, int]]:
    sales: Counter[int] = Counter()
    cents: Counter[int] = Counter()
    for when, total in session.execute(select(Transaction.occurred_at, Transaction.total)):
        sales[quarter_hour(when)] += 1
        cents[quarter_hour(when)] += int(total * 100)
    return {slot: (n, cents[slot]) for slot, n in sales.items()}


def sales_kept(session: Session) -> dict[int, tuple[int, int]]:
    rows = session.scalars(select(SalesSlot))
    return {
        r.slot: (r.sales, r.revenue_cents) for r in rows if (r.sales, r.revenue_cents) != (0, 0)
    }


def messages_from_table(session: Session) -> dict[tuple[int, str], int]:
    rows = session.execute(select(Message.created_at, Message.direction))
    return dict(Counter((quarter_hour(when), direction) for when, direction in rows))


def messages_kept(session: Session) -> dict[tuple[int, str], int]:
    rows = session.scalars(select(MessageSlot))
    return {(r.slot, r.direction): r.messages for r in rows if r.messages}
