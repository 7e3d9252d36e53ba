"""Sales reports for the dashboard: revenue per day, customers per VIP tier, the win-back queue.

Days are the shop's local days (DST included): :func:`local_days` turns the last N days into UTC
ranges, and each day is summed as its own range over the ``transactions.occurred_at`` index, all
in one ``UNION ALL`` statement. The same SQL runs on SQLite and PostgreSQL, and its cost follows
the number of sales in the days asked for, never the size of the table.

Tiers come from the cached ``customers.lifetime_value`` / ``visit_count`` with a CASE built from
:data:`conductor.crm.analytics.TIER_THRESHOLDS`, so they always agree with
:func:`conductor.crm.analytics.vip_tier`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from conductor.crm.analytics import (
    TIER_THRESHOLDS,
    WIN_BACK_MIN_LAPSE_DAYS,
    WinBackEntry,
    win_back_priority_queue,
)
from conductor.crm.models import Customer, Transaction
from conductor.crm.sqlfunc import days_between
from conductor.store.base import UTCDateTime

CENT = Decimal("0.01")
TIERS: tuple[str, ...] = ("New", "Bronze", *(name for _, name in reversed(TIER_THRESHOLDS)))
"""Every tier, lowest first: New, Bronze, Silver, Gold, Platinum."""


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
    t = Transaction
    parts = [
        select(
            literal(i).label("i"), func.count().label("n"), func.sum(t.total).label("total")
        ).where(t.occurred_at >= b.start, t.occurred_at < b.end)
        for i, b in enumerate(buckets)
    ]
    found = {i: (n, total) for i, n, total in session.execute(union_all(*parts))}
    return [DayRevenue(b.day, int(found[i][0]), _money(found[i][1])) for i, b in enumerate(buckets)]


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def tier_case() -> ColumnElement[str]:
    """SQL for :func:`conductor.crm.analytics.vip_tier` over the cached columns."""
    c = Customer
    whens: list[tuple[ColumnElement[bool], str]] = [(c.visit_count == 0, "New")]
    whens += [(c.lifetime_value >= threshold, name) for threshold, name in TIER_THRESHOLDS]
    return case(*whens, else_="Bronze")


def customers_per_tier(session: Session) -> dict[str, int]:
    """How many customers (merged duplicates left out) each tier has, lowest tier first."""
    tier = tier_case().label("tier")
    stmt = select(tier, func.count()).where(Customer.merged_into_id.is_(None)).group_by(tier)
    counts = {name: int(n) for name, n in session.execute(stmt)}
    return {name: counts.get(name, 0) for name in TIERS}


def win_back_conditions(now: datetime) -> Sequence[ColumnElement[bool]]:
    """Who is in the win-back queue: the same rules as
    :func:`conductor.crm.analytics.win_back_priority_queue` (a test keeps them equal)."""
    c = Customer
    days_since = days_between(literal(now, UTCDateTime()), c.last_visit_at)
    mean_interval = days_between(c.last_visit_at, c.first_visit_at) / (c.visit_count - 1)
    return (
        c.merged_into_id.is_(None),
        c.sms_consent.is_(True),
        c.phone.is_not(None),
        c.visit_count >= 2,
        c.last_visit_at <= now - timedelta(days=WIN_BACK_MIN_LAPSE_DAYS),
        days_since > 2 * mean_interval,
    )


@dataclass(frozen=True)
class WinBackSummary:
    size: int
    top: list[WinBackEntry]


def win_back_summary(session: Session, *, now: datetime, top: int = 5) -> WinBackSummary:
    """How many customers the win-back queue holds, and its first ``top`` entries."""
    size = session.scalar(select(func.count()).where(*win_back_conditions(now))) or 0
    return WinBackSummary(int(size), win_back_priority_queue(session, now=now, limit=top))
