"""Sales reports for the dashboard: revenue per day, customers per VIP tier, the win-back queue.

Days are the shop's local days (DST included): :func:`local_days` turns the last N days into UTC
ranges. Revenue per day adds up the quarter-hour sales rollup (:mod:`conductor.rollup`), which
triggers keep in step with ``transactions``: at most 96 rows a day, whatever the number of
sales, and the zone is applied when reading, so changing it needs no rebuild.

Tiers come from the cached ``customers.lifetime_value`` / ``visit_count`` and
:data:`conductor.crm.analytics.TIER_THRESHOLDS`, so they always agree with
:func:`conductor.crm.analytics.vip_tier`; the win-back count and its first entries come from one
scan of the customers that reads the table in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from conductor.crm.analytics import TIER_THRESHOLDS, WIN_BACK_MIN_LAPSE_DAYS, WinBackEntry
from conductor.crm.models import Customer
from conductor.crm.sqlfunc import days_between
from conductor.rollup.models import SalesSlot
from conductor.rollup.slots import day_number, slot_start
from conductor.store.base import UTCDateTime

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
    s = SalesSlot
    day = day_number(s.slot, [b.end for b in buckets])
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
    """How many customers (merged duplicates left out) each tier has, lowest tier first.

    One pass of cumulative counts, "visited and spent at least X" for each threshold, so no
    grouping sort; the tiers are the differences, exactly as :func:`analytics.vip_tier` draws
    them (no visit: New; below the lowest threshold: Bronze).
    """
    c = Customer
    visited = c.visit_count > 0
    columns = [func.count(), func.count().filter(visited)]
    columns += [func.count().filter(visited, c.lifetime_value >= t) for t, _ in TIER_THRESHOLDS]
    total, seen, *at_least = session.execute(
        select(*columns).where(c.merged_into_id.is_(None))
    ).one()
    counts = {"New": total - seen}
    above = 0
    for (_, name), n in zip(TIER_THRESHOLDS, at_least, strict=True):
        counts[name], above = n - above, n
    counts["Bronze"] = seen - above
    return {name: int(counts[name]) for name in TIERS}


class table_order(FunctionElement[Any]):
    """A column SQLite will not search through an index (a unary ``+``), of the column's type.

    For a filter that most rows pass ("not merged", "visited more than 45 days ago") reading
    the table in order is several times faster than jumping to each row from an index;
    PostgreSQL chooses that by itself from its statistics.
    """

    inherit_cache = True
    name = "table_order"

    def __init__(self, column: QueryableAttribute[Any]) -> None:
        super().__init__(column)
        self.type = column.expression.type


@compiles(table_order, "sqlite")
def _table_order_sqlite(element: table_order, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(next(iter(element.clauses)), **kw)}"


@compiles(table_order)
def _table_order_default(element: table_order, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(next(iter(element.clauses)), **kw))


@dataclass(frozen=True)
class WinBackSummary:
    size: int
    top: list[WinBackEntry]


def win_back_summary(session: Session, *, now: datetime, top: int = 5) -> WinBackSummary:
    """How many customers the win-back queue holds, and its first ``top`` entries, in one scan.

    The rules and the score are those of :func:`conductor.crm.analytics.win_back_priority_queue`
    (see its module docstring); a test keeps the two equal.
    """
    c = Customer
    days_since = days_between(literal(now, UTCDateTime()), c.last_visit_at)
    span = days_between(c.last_visit_at, c.first_visit_at)
    mean_interval = span / (c.visit_count - 1)
    frequency = c.visit_count * 30.0 / (span + 30.0)
    score = cast(c.lifetime_value, Float) * frequency * (90.0 / (days_since + 90.0))
    stmt = (
        select(c.id, days_since, mean_interval, score, func.count().over())
        .where(
            table_order(c.merged_into_id).is_(None),
            c.sms_consent.is_(True),
            c.phone.is_not(None),
            table_order(c.visit_count) >= 2,
            table_order(c.last_visit_at) <= now - timedelta(days=WIN_BACK_MIN_LAPSE_DAYS),
            days_since > 2 * mean_interval,
        )
        .order_by(score.desc(), c.id)
        .limit(top)
    )
    rows = session.execute(stmt).all()
    customers = {x.id: x for x in session.scalars(select(c).where(c.id.in_([r[0] for r in rows])))}
    entries = [
        _entry(customers[i], days, interval, sc, now=now) for i, days, interval, sc, _ in rows
    ]
    return WinBackSummary(int(rows[0][4]) if rows else 0, entries)


def _entry(
    customer: Customer, days: float, interval: float, score: float, *, now: datetime
) -> WinBackEntry:
    return WinBackEntry(
        customer_id=customer.id,
        member_id=customer.member_id,
        name=customer.name,
        phone=customer.phone or "",
        lifetime_value=Decimal(customer.lifetime_value),
        visits=customer.visit_count,
        last_visit=customer.last_visit_at or now,
        days_since_last_visit=int(days),
        mean_interval_days=round(float(interval), 1),
        score=round(float(score), 2),
    )
