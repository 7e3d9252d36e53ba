"""Customer analytics derived from transactions: SMS context, product affinity, visit patterns,
the win-back priority queue, VIP tier and churn risk.

Everything here is computed from ``transactions`` / ``transaction_items`` at read time or from
the per-customer cache that :mod:`conductor.crm.stats` keeps in step with them; nothing is typed
in. Times are read in the shop's time zone (passed in) for weekdays and hours.

VIP tier, by lifetime value: Platinum >= $5,000, Gold >= $2,000, Silver >= $500, else Bronze;
"New" before the first purchase.

Churn risk compares days since the last visit with the customer's own mean interval between
visits (30 days until there are two visits, never less than 7): under 1.5x is low, under 3x
medium, beyond that high; more than 365 days is lost; no visits is unknown.

Win-back score (``win_back_priority_queue``), for customers with at least two visits, SMS consent,
a phone number, not merged, and lapsed (last visit at least 45 days ago and more than twice their
mean interval):

    score = value x frequency x recency
    value     = lifetime value in dollars
    frequency = visits per 30 days over their active span = visits x 30 / (span_days + 30)
    recency   = 90 / (90 + days_since_last_visit)   (1.0 just lapsed, 0.5 at 90 days, ...)

so a big spender who came often and lapsed recently ranks first, and the long gone rank last.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conductor.crm.models import Customer, Transaction, TransactionItem
from conductor.crm.winback import WinBackEntry as WinBackEntry
from conductor.crm.winback import priority_queue

TIER_THRESHOLDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("5000"), "Platinum"),
    (Decimal("2000"), "Gold"),
    (Decimal("500"), "Silver"),
)
DEFAULT_INTERVAL_DAYS = 30.0
MIN_INTERVAL_DAYS = 7.0
LOST_AFTER_DAYS = 365.0
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def vip_tier(lifetime_value: Decimal, visit_count: int) -> str:
    if visit_count == 0:
        return "New"
    for threshold, name in TIER_THRESHOLDS:
        if lifetime_value >= threshold:
            return name
    return "Bronze"


def mean_interval_days(customer: Customer) -> float | None:
    """Mean days between visits, from the cached first/last visit and visit count."""
    if customer.visit_count < 2 or not customer.first_visit_at or not customer.last_visit_at:
        return None
    span = (customer.last_visit_at - customer.first_visit_at).total_seconds() / 86400
    return span / (customer.visit_count - 1)


def churn_risk(days_since: float | None, mean_interval: float | None) -> str:
    if days_since is None:
        return "unknown"
    if days_since > LOST_AFTER_DAYS:
        return "lost"
    expected = max(mean_interval or DEFAULT_INTERVAL_DAYS, MIN_INTERVAL_DAYS)
    ratio = days_since / expected
    if ratio < 1.5:
        return "low"
    return "medium" if ratio < 3 else "high"


@dataclass(frozen=True)
class AffinityRow:
    name: str
    purchases: int
    quantity: Decimal
    spend: Decimal
    last_bought: datetime


@dataclass(frozen=True)
class ProductAffinity:
    brands: list[AffinityRow] = field(default_factory=list)
    categories: list[AffinityRow] = field(default_factory=list)
    products: list[AffinityRow] = field(default_factory=list)


def customer_product_affinity(
    session: Session, customer_id: int, *, limit: int = 5
) -> ProductAffinity:
    """A customer's brands, categories and products: purchases, quantity, spend, last bought."""
    ti, tx = TransactionItem, Transaction
    stmt = (
        select(
            ti.product_name,
            ti.brand,
            ti.category,
            func.count(ti.id),
            func.sum(ti.quantity),
            func.sum(ti.total_price),
            func.max(tx.occurred_at),
        )
        .join(tx, tx.id == ti.transaction_id)
        .where(tx.customer_id == customer_id)
        .group_by(ti.product_name, ti.brand, ti.category)
    )
    brands: dict[str, list[Any]] = {}
    categories: dict[str, list[Any]] = {}
    products: dict[str, list[Any]] = {}
    for name, brand, category, count, qty, spend, last in session.execute(stmt):
        row = (count, Decimal(qty or 0), Decimal(spend or 0), last)
        for bucket, key in ((products, name), (brands, brand), (categories, category)):
            if key:
                _accumulate(bucket, key, row)
    return ProductAffinity(
        brands=_top(brands, limit),
        categories=_top(categories, limit),
        products=_top(products, limit),
    )


def _accumulate(bucket: dict[str, list[Any]], key: str, row: tuple[Any, ...]) -> None:
    current = bucket.setdefault(key, [0, Decimal("0"), Decimal("0"), row[3]])
    current[0] += row[0]
    current[1] += row[1]
    current[2] += row[2]
    current[3] = max(current[3], row[3])


def _top(bucket: dict[str, list[Any]], limit: int) -> list[AffinityRow]:
    rows = [
        AffinityRow(name, c, q.quantize(Decimal("0.001")), s.quantize(Decimal("0.01")), last)
        for name, (c, q, s, last) in bucket.items()
    ]
    rows.sort(key=lambda r: (-r.purchases, -r.spend, r.name))
    return rows[:limit]


@dataclass(frozen=True)
class VisitPattern:
    visits: int
    usual_weekday: str | None
    usual_hour: int | None
    mean_days_between: float | None
    stdev_days_between: float | None
    last_visit: datetime | None
    next_visit_expected: datetime | None
    preferred_location: str | None


def customer_visit_patterns(session: Session, customer_id: int, *, zone: ZoneInfo) -> VisitPattern:
    """Usual weekday and hour (shop time), spacing of visits and when the next is due.

    Gaps are measured on the shop's wall clock, so a visit at 17:00 every other Friday keeps a
    14.0-day rhythm across a daylight-saving change and the next one is expected at 17:00 too.
    """
    stmt = (
        select(Transaction.occurred_at, Transaction.location)
        .where(Transaction.customer_id == customer_id)
        .order_by(Transaction.occurred_at)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return VisitPattern(0, None, None, None, None, None, None, None)
    local = [when.astimezone(zone) for when, _ in rows]
    gaps = [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(local)]
    mean = statistics.fmean(gaps) if gaps else None
    spread = statistics.pstdev(gaps) if len(gaps) >= 2 else None
    last = rows[-1][0]
    return VisitPattern(
        visits=len(rows),
        usual_weekday=WEEKDAYS[_mode(t.weekday() for t in local)],
        usual_hour=_mode(t.hour for t in local),
        mean_days_between=round(mean, 1) if mean is not None else None,
        stdev_days_between=round(spread, 1) if spread is not None else None,
        last_visit=last,
        next_visit_expected=(
            (local[-1] + timedelta(days=mean)).astimezone(UTC) if mean is not None else None
        ),
        preferred_location=_mode_text(loc for _, loc in rows),
    )


def _mode(values: Any) -> Any:
    """Most common value; ties go to the smallest, so results are stable."""
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


def _mode_text(values: Any) -> str | None:
    present = [v for v in values if v]
    return _mode(present) if present else None


@dataclass(frozen=True)
class SmsContext:
    """Everything a texting agent needs about one customer, and nothing about anyone else."""

    customer_id: int
    member_id: str
    first_name: str
    name: str
    phone: str | None
    email: str | None
    tier: str
    loyalty_points: int
    visits: int
    lifetime_value: Decimal
    average_sale: Decimal | None
    last_visit: datetime | None
    days_since_last_visit: int | None
    favourite_category: str | None
    favourite_brand: str | None
    favourite_products: list[str]
    preferred_location: str | None
    preferred_weekday: str | None
    usual_hour: int | None
    next_visit_expected: datetime | None
    churn_risk: str
    sms_consent: bool
    email_consent: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings, datetimes as ISO 8601."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, datetime):
                out[key] = value.isoformat()
        return out


def customer_sms_context(
    session: Session, customer: Customer, *, now: datetime, zone: ZoneInfo
) -> SmsContext:
    affinity = customer_product_affinity(session, customer.id, limit=3)
    pattern = customer_visit_patterns(session, customer.id, zone=zone)
    last = customer.last_visit_at
    days_since = (now - last).total_seconds() / 86400 if last else None
    visits, ltv = customer.visit_count, Decimal(customer.lifetime_value)
    return SmsContext(
        customer_id=customer.id,
        member_id=customer.member_id,
        first_name=customer.first_name,
        name=customer.name,
        phone=customer.phone,
        email=customer.email,
        tier=vip_tier(ltv, visits),
        loyalty_points=customer.loyalty_points,
        visits=visits,
        lifetime_value=ltv,
        average_sale=(ltv / visits).quantize(Decimal("0.01")) if visits else None,
        last_visit=last,
        days_since_last_visit=int(days_since) if days_since is not None else None,
        favourite_category=affinity.categories[0].name if affinity.categories else None,
        favourite_brand=affinity.brands[0].name if affinity.brands else None,
        favourite_products=[p.name for p in affinity.products],
        preferred_location=pattern.preferred_location,
        preferred_weekday=pattern.usual_weekday,
        usual_hour=pattern.usual_hour,
        next_visit_expected=pattern.next_visit_expected,
        churn_risk=churn_risk(days_since, mean_interval_days(customer)),
        sms_consent=customer.sms_consent,
        email_consent=customer.email_consent,
    )


def win_back_priority_queue(
    session: Session, *, now: datetime, limit: int = 100
) -> list[WinBackEntry]:
    """Lapsed, valuable, reachable customers, best first (score in the module docstring; how it
    stays fast: :mod:`conductor.crm.winback`)."""
    return priority_queue(session, now=now, limit=limit)
