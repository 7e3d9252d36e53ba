"""Message reports for the dashboard: texts received and sent per day.

Adds up the quarter-hour message rollup (:mod:`conductor.rollup`), which triggers keep in step
with ``messages``: the slots of the last N local days (boundaries from
:func:`conductor.crm.reports.local_days`, so daylight-saving changes are right) are numbered by
day with a CASE and counted per day and direction, so at most two rows per day come back and the
cost does not follow the number of messages. Every message counts on the day it was created,
whatever its channel or status (a draft or a failed text included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conductor.crm.reports import local_days
from conductor.messaging import status as st
from conductor.rollup.models import MessageSlot
from conductor.rollup.slots import day_number, slot_start


@dataclass(frozen=True)
class DayMessages:
    day: date
    inbound: int
    outbound: int


def messages_per_day(
    session: Session, *, days: int, now: datetime, zone: ZoneInfo
) -> list[DayMessages]:
    """Inbound and outbound messages created on each of the last ``days`` local days."""
    buckets = local_days(days=days, now=now, zone=zone)
    m = MessageSlot
    day = day_number(MessageSlot.__tablename__, [b.end for b in buckets]).label("day")
    stmt = (
        select(day, m.direction, func.sum(m.messages))
        .where(m.slot >= slot_start(buckets[0].start), m.slot < slot_start(buckets[-1].end))
        .group_by(day, m.direction)
    )
    counts = {(i, direction): int(n) for i, direction, n in session.execute(stmt)}
    return [
        DayMessages(b.day, counts.get((i, st.INBOUND), 0), counts.get((i, st.OUTBOUND), 0))
        for i, b in enumerate(buckets)
    ]
