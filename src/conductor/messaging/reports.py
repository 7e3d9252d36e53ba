"""Message reports for the dashboard: texts received and sent per day.

One range read over the last N local days (``created_at``), bucketed into the shop's days in
Python: portable, correct across daylight-saving changes, and bounded by the days asked for.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conductor.crm.reports import local_days
from conductor.messaging import status as st
from conductor.messaging.models import Message


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
    starts = [b.start for b in buckets]
    counts = {st.INBOUND: [0] * days, st.OUTBOUND: [0] * days}
    stmt = (
        select(Message.created_at, Message.direction, func.count())
        .where(Message.created_at >= buckets[0].start, Message.created_at < buckets[-1].end)
        .group_by(Message.created_at, Message.direction)
    )
    for created_at, direction, n in session.execute(stmt):
        if direction in counts:
            counts[direction][bisect_right(starts, created_at) - 1] += n
    return [
        DayMessages(b.day, counts[st.INBOUND][i], counts[st.OUTBOUND][i])
        for i, b in enumerate(buckets)
    ]
