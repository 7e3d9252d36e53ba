"""The X viewer's figures: budtenders with their points, receipts, attributed house-brand sales,
last activity and tier, all derived from the ledger and receipts at query time; a leaderboard;
points over time.

Tiers are bands of a budtender's points balance (:data:`TIERS`), computed in SQL so that lists
filter and sort on them without a stored, stale column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from conductor.budtenders.models import Budtender, Dispensary
from conductor.crm.keys import fold, prefix_upper_bound
from conductor.loyalty.models import APPROVED, PointsEntry, Receipt

TIERS = (("Platinum", 20_000), ("Gold", 5_000), ("Silver", 1_000), ("Bronze", 1), ("New", None))
"""Highest first: the first band whose floor the balance reaches (``New``: no points yet)."""
TIER_NAMES = tuple(name for name, _ in TIERS)
ACTIVITY = {"7d": 7, "30d": 30, "90d": 90}
SORTS = ("name", "dispensary", "tier", "points", "receipts", "sales", "last_activity")


@dataclass(frozen=True)
class BudtenderRow:
    id: int
    name: str
    status: str
    dispensary_id: int
    dispensary: str
    phone: str | None
    email: str | None
    instagram: str | None
    points: int
    receipts: int
    sales: Decimal
    last_activity: datetime | None
    tier: str


def _points(budtender_id: int | None = None) -> Any:
    held = PointsEntry.budtender_id.is_not(None) if budtender_id is None else (
        PointsEntry.budtender_id == budtender_id
    )  # fmt: skip
    return (
        select(PointsEntry.budtender_id.label("bid"), func.sum(PointsEntry.amount).label("points"))
        .where(held)
        .group_by(PointsEntry.budtender_id)
        .subquery()
    )


def _receipts(budtender_id: int | None = None) -> Any:
    credited = Receipt.budtender_id.is_not(None) if budtender_id is None else (
        Receipt.budtender_id == budtender_id
    )  # fmt: skip
    return (
        select(
            Receipt.budtender_id.label("bid"),
            func.count().label("receipts"),
            func.sum(Receipt.qualifying_spend).label("sales"),
            func.max(Receipt.submitted_at).label("last_activity"),
        )
        .where(Receipt.status == APPROVED, credited)
        .group_by(Receipt.budtender_id)
        .subquery()
    )


def _tier(points: ColumnElement[Any]) -> ColumnElement[str]:
    whens = [(points >= floor, literal(name)) for name, floor in TIERS if floor is not None]
    return case(*whens, else_=literal("New"))


def budtender_rows(
    session: Session,
    *,
    now: datetime,
    text: str = "",
    dispensary_id: int | None = None,
    tier: str | None = None,
    activity: str | None = None,
    status: str | None = None,
    sort: str = "points",
    descending: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> list[BudtenderRow]:
    """Budtenders matching the filters. ``activity``: ``7d``/``30d``/``90d`` (an approved receipt
    in that time) or ``inactive`` (none in 90 days); ``text``: a prefix of the name, the
    dispensary, the phone number, the e-mail or the instagram handle."""
    stmt = _filtered(_listing(), now, text, dispensary_id, tier, activity, status)
    points = func.coalesce(stmt.selected_columns.points, 0)
    last = stmt.selected_columns.last_activity
    order = {
        "name": Budtender.name_key,
        "dispensary": Dispensary.name_key,
        "tier": points,
        "points": points,
        "receipts": func.coalesce(stmt.selected_columns.receipts, 0),
        "sales": func.coalesce(stmt.selected_columns.sales, 0),
        "last_activity": last,
    }.get(sort, points)
    ordered = order.desc() if descending else order.asc()
    if sort == "last_activity":
        ordered = ordered.nulls_last()
    stmt = stmt.order_by(ordered, Budtender.name_key, Budtender.id).limit(limit).offset(offset)
    return [_row(r) for r in session.execute(stmt)]


def budtender_count(
    session: Session,
    *,
    now: datetime,
    text: str = "",
    dispensary_id: int | None = None,
    tier: str | None = None,
    activity: str | None = None,
    status: str | None = None,
) -> int:
    """How many budtenders :func:`budtender_rows` finds with these filters (all pages)."""
    if tier or activity:
        stmt = _listing()
    else:  # no figure is filtered on: count the people alone, without summing the ledger
        stmt = select(Budtender.id).join(Dispensary, Dispensary.id == Budtender.dispensary_id)
    stmt = _filtered(stmt, now, text, dispensary_id, tier, activity, status)
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _filtered(
    stmt: Select[Any],
    now: datetime,
    text: str,
    dispensary_id: int | None,
    tier: str | None,
    activity: str | None,
    status: str | None,
) -> Select[Any]:
    key = fold(text)
    if key:
        stmt = stmt.where(_matches(key))
    if dispensary_id is not None:
        stmt = stmt.where(Budtender.dispensary_id == dispensary_id)
    if status:
        stmt = stmt.where(Budtender.status == status)
    if tier:
        stmt = stmt.where(_tier(func.coalesce(stmt.selected_columns.points, 0)) == tier)
    if activity in ACTIVITY:
        last = stmt.selected_columns.last_activity
        stmt = stmt.where(last >= now - timedelta(days=ACTIVITY[activity]))
    elif activity == "inactive":
        last = stmt.selected_columns.last_activity
        stmt = stmt.where(or_(last.is_(None), last < now - timedelta(days=90)))
    return stmt


def _listing(budtender_id: int | None = None) -> Select[Any]:
    """Budtenders with their figures; for one budtender, only their rows are summed."""
    points, receipts = _points(budtender_id), _receipts(budtender_id)
    total = func.coalesce(points.c.points, 0)
    return (
        select(
            Budtender.id,
            Budtender.first_name,
            Budtender.last_name,
            Budtender.status,
            Budtender.dispensary_id,
            Dispensary.name.label("dispensary"),
            Budtender.phone,
            Budtender.email,
            Budtender.instagram,
            points.c.points,
            receipts.c.receipts,
            receipts.c.sales,
            receipts.c.last_activity,
            _tier(total).label("tier"),
        )
        .join(Dispensary, Dispensary.id == Budtender.dispensary_id)
        .outerjoin(points, points.c.bid == Budtender.id)
        .outerjoin(receipts, receipts.c.bid == Budtender.id)
    )


def _matches(key: str) -> ColumnElement[bool]:
    upper = prefix_upper_bound(key)
    digits = "".join(c for c in key if c.isdigit())
    clauses = [
        and_(Budtender.name_key >= key, Budtender.name_key < upper),
        func.lower(Budtender.last_name).startswith(key, autoescape=True),
        and_(Dispensary.name_key >= key, Dispensary.name_key < upper),
        func.lower(Budtender.email).startswith(key, autoescape=True),
        func.lower(Budtender.instagram).startswith(key.lstrip("@"), autoescape=True),
    ]
    if len(digits) >= 3:
        clauses.append(Budtender.phone.contains(digits, autoescape=True))
    return or_(*clauses)


def _row(r: Any) -> BudtenderRow:
    return BudtenderRow(
        id=r.id,
        name=f"{r.first_name} {r.last_name}".strip(),
        status=r.status,
        dispensary_id=r.dispensary_id,
        dispensary=r.dispensary,
        phone=r.phone,
        email=r.email,
        instagram=r.instagram,
        points=int(r.points or 0),
        receipts=int(r.receipts or 0),
        sales=Decimal(r.sales or 0).quantize(Decimal("0.01")),
        last_activity=_aware(r.last_activity),
        tier=r.tier,
    )


def _aware(value: datetime | str | None) -> datetime | None:
    """``max()`` over a UTC column loses the column type: SQLite hands back naive text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def budtender_row(session: Session, budtender_id: int, *, now: datetime) -> BudtenderRow | None:
    stmt = _listing(budtender_id).where(Budtender.id == budtender_id)
    found = session.execute(stmt).first()
    return _row(found) if found else None


@dataclass(frozen=True)
class Leader:
    id: int
    name: str
    dispensary: str
    points: int


def leaderboard(session: Session, *, since: datetime, limit: int = 10) -> list[Leader]:
    """Budtenders by points earned since ``since`` (receipts and adjustments, net)."""
    earned = func.sum(PointsEntry.amount)
    stmt = (
        select(Budtender.id, Budtender.first_name, Budtender.last_name, Dispensary.name, earned)
        .join(PointsEntry, PointsEntry.budtender_id == Budtender.id)
        .join(Dispensary, Dispensary.id == Budtender.dispensary_id)
        .where(PointsEntry.created_at >= since)
        .group_by(Budtender.id, Budtender.first_name, Budtender.last_name, Dispensary.name)
        .having(earned > 0)
        .order_by(earned.desc(), Budtender.id)
        .limit(limit)
    )
    return [
        Leader(bid, f"{first} {last}".strip(), shop, int(total))
        for bid, first, last, shop, total in session.execute(stmt)
    ]


@dataclass(frozen=True)
class Week:
    start: date
    points: int
    receipts: int


def points_by_week(
    session: Session,
    *,
    now: datetime,
    zone: ZoneInfo,
    weeks: int = 12,
    budtender_id: int | None = None,
) -> list[Week]:
    """Points earned (net) and receipts credited per week (Monday to Sunday, shop time), oldest
    first, for one budtender or all of them."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = datetime.combine(first, datetime.min.time(), zone)
    stmt = select(PointsEntry.created_at, PointsEntry.amount, PointsEntry.receipt_id).where(
        PointsEntry.budtender_id.is_not(None), PointsEntry.created_at >= since
    )
    if budtender_id is not None:
        stmt = stmt.where(PointsEntry.budtender_id == budtender_id)
    points = dict.fromkeys(range(weeks), 0)
    receipts: dict[int, set[int]] = {w: set() for w in range(weeks)}
    for at, amount, receipt_id in session.execute(stmt):
        week = (at.astimezone(zone).date() - first).days // 7
        if 0 <= week < weeks:
            points[week] += amount
            if receipt_id is not None and amount > 0:
                receipts[week].add(receipt_id)
    return [Week(first + timedelta(weeks=w), points[w], len(receipts[w])) for w in range(weeks)]
