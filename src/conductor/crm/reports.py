"""Sales reports for the dashboard: revenue per day, customers per VIP tier, the win-back queue.

Days are the shop's local days (DST included): :func:`local_days` turns the last N days into UTC
ranges. Revenue per day adds up the quarter-hour sales rollup (:mod:`conductor.rollup`), which
triggers keep in step with ``transactions``: at most 96 rows a day, whatever the number of
sales, and the zone is applied when reading, so changing it needs no rebuild.

Customers per tier are one row that triggers keep (:mod:`conductor.rollup.tiers`), from the
cached ``customers.lifetime_value`` / ``visit_count`` and
:data:`conductor.crm.analytics.TIER_THRESHOLDS`, so they agree with
:func:`conductor.crm.analytics.vip_tier`. The win-back card's count and first entries come
from :mod:`conductor.crm.winback`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conductor.crm import winback
from conductor.crm.analytics import WinBackEntry
from conductor.rollup.models import SalesSlot
from conductor.rollup.service import tier_counts
from conductor.rollup.slots import day_number, slot_start
from conductor.rollup.tiers import TIERS as TIERS


@dataclass(frozen=True)
class LocalDay:
    """One calendar day in the shop's time zone, as a half-open UTC range."""

    day: date
    start: datetime
    end: datetime


def local_days(*, days: int, now: datetime, zone: ZoneInfo) -> list[LocalDay]:
    """The last ``days`` local days up to and including today, oldest first."""
    today = now.astimezone(zone).date()
    out: list[LocalDay] = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime.combine(day, time(), zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
        out.append(LocalDay(day, start, end))
    return out


@dataclass(frozen=True)
class DayRevenue:
    day: date
    sales: int
    revenue: Decimal


def revenue_per_day(
    session: Session, *, days: int, now: datetime, zone: ZoneInfo
) -> list[DayRevenue]:
    """Number of sales and their total for each of the last ``days`` local days (zeros kept)."""
    buckets = local_days(days=days, now=now, zone=zone)
    s = SalesSlot
    day = day_number(SalesSlot.__tablename__, [b.end for b in buckets])
    stmt = (
        select(day, func.sum(s.sales), func.sum(s.revenue_cents))
        .where(s.slot >= slot_start(buckets[0].start), s.slot < slot_start(buckets[-1].end))
        .group_by(day)
    )
    found = {i: (int(n), int(cents)) for i, n, cents in session.execute(stmt)}
    sums = [found.get(i, (0, 0)) for i in range(len(buckets))]
    return [
        DayRevenue(b.day, n, Decimal(cents).scaleb(-2))
        for b, (n, cents) in zip(buckets, sums, strict=True)
    ]


def customers_per_tier(session: Session) -> dict[str, int]:
    """How many customers (merged duplicates left out) each tier has, lowest tier first, as the
    triggers of :mod:`conductor.rollup.tiers` keep them."""
    return dict(zip(TIERS, tier_counts(session), strict=True))


@dataclass(frozen=True)
class WinBackSummary:
    size: int
    top: list[WinBackEntry]


def win_back_summary(session: Session, *, now: datetime, top: int = 5) -> WinBackSummary:
    """How many customers the win-back queue holds, and its first ``top`` entries (both read
    from partial indexes over cached columns: :mod:`conductor.crm.winback`)."""
    size = winback.queue_size(session, now=now)
    return WinBackSummary(size, winback.priority_queue(session, now=now, limit=top))
