"""Message reports for the dashboard: texts received and sent per day.

One range read over the last N local days of ``created_at``; a CASE over the days' UTC
boundaries (from :func:`conductor.crm.reports.local_days`, so daylight-saving changes are
right) numbers each message's day, and the database counts per day and direction: plain SQL on
SQLite and PostgreSQL, and at most two rows per day come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
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
    m = Message
    day = case(*[(m.created_at < b.end, i) for i, b in enumerate(buckets)]).label("day")
    stmt = (
        select(day, m.direction, func.count())
        .where(m.created_at >= buckets[0].start, m.created_at < buckets[-1].end)
        .group_by(day, m.direction)
    )
    counts = {(i, direction): n for i, direction, n in session.execute(stmt)}
    return [
        DayMessages(b.day, counts.get((i, st.INBOUND), 0), counts.get((i, st.OUTBOUND), 0))
        for i, b in enumerate(buckets)
    ]
