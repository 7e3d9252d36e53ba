"""Budtenders: the X viewer. Partner dispensaries' budtenders in a filtered, sortable, paged table
(search as you type), one budtender's panel (profile, points per week, the ledger, editing and
points adjustments, both audited), a 30-day leaderboard and points per week of all of them.

The forms and their parsing are in :mod:`.budtender_form`. Charts are Chart.js configurations
drawn by ``static/charts.js``; the two cards load on their own, so the table shows at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response

from conductor.accounts.models import User
from conductor.accounts.roles import allowed
from conductor.budtenders import board, edits, service
from conductor.budtenders.models import STATUSES, Budtender
from conductor.errors import InvalidInput, NotFound
from conductor.loyalty import points
from conductor.web.deps import DbSession, PageUser, now, require
from conductor.web.pages.budtender_form import (
    PointsForm,
    ProfileForm,
    parse_points,
    parse_profile,
    profile_values,
)
from conductor.web.pages.customer_form import shop_time
from conductor.web.security import check_csrf
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
Now = Annotated[datetime, Depends(now)]
Editor = Annotated[User, Depends(require("edit"))]
Keeper = Annotated[User, Depends(require("points"))]
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CSRF = [Depends(check_csrf)]
Text = Annotated[str, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]
Tier = Literal["", "Platinum", "Gold", "Silver", "Bronze", "New"]
Activity = Literal["", "7d", "30d", "90d", "inactive"]
Status = Literal["", "new", "active", "inactive"]
Sort = Literal["name", "dispensary", "tier", "points", "receipts", "sales", "last_activity"]
PAGE, LEDGER, WEEKS, LEADERS, LEADER_DAYS = 50, 50, 12, 10, 30
CHANGED = {"HX-Trigger": "budtender-changed"}
"""Sent with a saved edit or adjustment: the table and the cards reload what they show."""
POINTS, RECEIPTS = "#2f6f4f", "#c08a4e"


class BudtenderQuery:
    """The list's query string: search, filters, sort, page and the open budtender, read once
    and written back into links."""

    def __init__(
        self,
        q: Text = "",
        dispensary: Annotated[str, Query(pattern=r"^[0-9]{0,9}$")] = "",
        tier: Tier = "",
        activity: Activity = "",
        status: Status = "",
        sort: Sort = "points",
        dir: Literal["asc", "desc"] = "desc",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    ) -> None:
        self.q, self.tier, self.activity, self.status = q, tier, activity, status
        self.dispensary = int(dispensary) if dispensary else None
        self.sort, self.dir, self.page, self.id = sort, dir, page, id

    def filters(self) -> dict[str, Any]:
        return {"text": self.q, "dispensary_id": self.dispensary, "tier": self.tier or None,
                "activity": self.activity or None, "status": self.status or None}  # fmt: skip

    def link(self, **changes: Any) -> str:
        """The query string with ``changes`` applied (defaults left out)."""
        params: dict[str, Any] = {
            "q": self.q, "dispensary": self.dispensary, "tier": self.tier,
            "activity": self.activity, "status": self.status, "sort": self.sort, "dir": self.dir,
            "page": self.page, "id": self.id,
        }  # fmt: skip
        params.update(changes)
        defaults = {"sort": "points", "dir": "desc", "page": 1}
        return urlencode(
            {k: v for k, v in params.items() if v not in ("", None) and defaults.get(k) != v}
        )

    @cached_property
    def _listed(self) -> str:
        return self.link(id=None)

    def opening(self, budtender_id: int) -> str:
        """The address of this list with ``budtender_id`` open (one per table row)."""
        return f"/budtenders?{self._listed}{'&' if self._listed else ''}id={budtender_id}"


Listing = Annotated[BudtenderQuery, Depends()]


def _table(request: Request, db: DbSession, query: BudtenderQuery, at: datetime) -> dict[str, Any]:
    rows = board.budtender_rows(
        db, now=at, sort=query.sort, descending=query.dir == "desc", limit=PAGE,
        offset=(query.page - 1) * PAGE, **query.filters(),
    )  # fmt: skip
    total = board.budtender_count(db, now=at, **query.filters())
    pages = max(1, -(-total // PAGE))
    return {"rows": rows, "total": total, "query": query, "pages": pages,
            "first": (query.page - 1) * PAGE + 1,
            "local": shop_time(request.app.state.settings.zone)}  # fmt: skip


def _panel(
    request: Request, db: DbSession, user: User, budtender: Budtender, at: datetime, **extra: Any
) -> dict[str, Any]:
    zone = request.app.state.settings.zone
    weeks = board.points_by_week(db, now=at, zone=zone, weeks=WEEKS, budtender_id=budtender.id)
    return {
        "b": board.budtender_row(db, budtender.id, now=at),
        "budtender": budtender,
        "chart": _weeks_chart(weeks, receipts=False),
        "ledger": points.entries(db, budtender_id=budtender.id, limit=LEDGER),
        "dispensaries": service.dispensaries(db),
        "statuses": STATUSES,
        "role": user.role,
        "may_edit": allowed(user.role, "edit"),
        "may_adjust": allowed(user.role, "points"),
        "local": shop_time(zone),
        "values": profile_values(budtender),
        "errors": {},
        "adjust": {},
        "adjust_errors": {},
        **extra,
    }


def _weeks_chart(weeks: list[board.Week], *, receipts: bool) -> dict[str, Any]:
    """Points per week as bars; with ``receipts``, receipts credited as a line on its own axis."""
    datasets: list[dict[str, Any]] = [
        {"type": "bar", "label": "Points", "data": [w.points for w in weeks],
         "backgroundColor": POINTS, "borderRadius": 2, "yAxisID": "y"},
    ]  # fmt: skip
    scales: dict[str, Any] = {
        "x": {"grid": {"display": False}, "ticks": {"maxRotation": 0, "autoSkipPadding": 8}},
        "y": {"beginAtZero": True, "ticks": {"precision": 0}},
    }
    if receipts:
        datasets.append({"type": "line", "label": "Receipts", "data": [w.receipts for w in weeks],
                         "borderColor": RECEIPTS, "backgroundColor": RECEIPTS, "tension": 0.3,
                         "yAxisID": "y1"})  # fmt: skip
        scales["y1"] = {"beginAtZero": True, "position": "right", "ticks": {"precision": 0},
                        "grid": {"drawOnChartArea": False}}  # fmt: skip
    legend = {"position": "bottom"} if receipts else {"display": False}
    options = {"maintainAspectRatio": False, "plugins": {"legend": legend}, "scales": scales,
               "interaction": {"mode": "index", "intersect": False}}  # fmt: skip
    labels = [f"{w.start:%b} {w.start.day}" for w in weeks]
    return {"type": "bar", "data": {"labels": labels, "datasets": datasets}, "options": options}


def _gone(request: Request, exc: NotFound) -> Response:
    """An unknown budtender, said in the panel (the page's htmx config swaps 404 and 422)."""
    return render(request, "budtenders/_gone.html", {"detail": str(exc)}, status_code=404)


@router.get("/budtenders")
def budtenders_page(
    request: Request, user: PageUser, db: DbSession, at: Now, query: Listing
) -> Response:
    context = {"user": user, "nav": "budtenders", "dispensaries": service.dispensaries(db),
               "tiers": board.TIER_NAMES, "statuses": STATUSES}  # fmt: skip
    context |= _table(request, db, query, at)
    if query.id is not None:
        budtender = service.get_budtender(db, query.id)
        context |= _panel(request, db, user, budtender, at) | {"opened": True}
    return render(request, "budtenders/index.html", context)


@router.get("/budtenders/table")
def budtenders_table(
    request: Request, user: PageUser, db: DbSession, at: Now, query: Listing
) -> Response:
    response = render(request, "budtenders/_table.html", _table(request, db, query, at))
    response.headers["HX-Push-Url"] = f"/budtenders?{query.link()}".rstrip("?")
    return response


@router.get("/budtenders/leaderboard")
def leaderboard_card(request: Request, user: PageUser, db: DbSession, at: Now) -> Response:
    leaders = board.leaderboard(db, since=at - timedelta(days=LEADER_DAYS), limit=LEADERS)
    context = {"leaders": leaders, "days": LEADER_DAYS}
    return render(request, "budtenders/_leaderboard.html", context)


@router.get("/budtenders/performance")
def performance_card(request: Request, user: PageUser, db: DbSession, at: Now) -> Response:
    zone = request.app.state.settings.zone
    weeks = board.points_by_week(db, now=at, zone=zone, weeks=WEEKS)
    context = {"chart": _weeks_chart(weeks, receipts=True), "weeks": WEEKS,
               "points": sum(w.points for w in weeks),
               "receipts": sum(w.receipts for w in weeks)}  # fmt: skip
    return render(request, "budtenders/_performance.html", context)


@router.get("/budtenders/{budtender_id}/panel")
def panel(request: Request, user: PageUser, db: DbSession, at: Now, budtender_id: Id) -> Response:
    try:
        budtender = service.get_budtender(db, budtender_id)
    except NotFound as exc:
        return _gone(request, exc)
    return render(request, "budtenders/_panel.html", _panel(request, db, user, budtender, at))


@router.post("/budtenders/{budtender_id}", dependencies=CSRF)
def save_profile(
    request: Request,
    user: Editor,
    db: DbSession,
    at: Now,
    budtender_id: Id,
    form: Annotated[ProfileForm, Form()],
) -> Response:
    """Save the profile form; refused whole (422, the form with a message per field) on any
    error."""
    try:
        budtender = service.get_budtender(db, budtender_id)
    except NotFound as exc:
        return _gone(request, exc)
    ids = {d.id for d in service.dispensaries(db)}
    region = request.app.state.settings.default_region
    changes, errors = parse_profile(form, ids, region)
    if not errors:
        try:
            changed = edits.edit_budtender(
                db, budtender, changes, actor=user.username, now=at, region=region
            )
        except InvalidInput as exc:
            errors = {"form": str(exc)}
    if errors:
        context = _panel(request, db, user, budtender, at, values=form.model_dump(),
                         errors=errors, editing=True)  # fmt: skip
        return render(request, "budtenders/_panel.html", context, status_code=422)
    saved = ", ".join(name.replace("_id", "").replace("_", " ") for name in changed)
    context = _panel(request, db, user, budtender, at, saved=saved or "nothing changed")
    return render(request, "budtenders/_panel.html", context, headers=CHANGED)


@router.post("/budtenders/{budtender_id}/points", dependencies=CSRF)
def adjust_points(
    request: Request,
    user: Keeper,
    db: DbSession,
    at: Now,
    budtender_id: Id,
    form: Annotated[PointsForm, Form()],
) -> Response:
    """Add or take away points with a reason (managers and admins; audited)."""
    try:
        budtender = service.get_budtender(db, budtender_id)
    except NotFound as exc:
        return _gone(request, exc)
    amount, reason, errors = parse_points(form)
    if errors:
        context = _panel(request, db, user, budtender, at, adjust=form.model_dump(),
                         adjust_errors=errors)  # fmt: skip
        return render(request, "budtenders/_panel.html", context, status_code=422)
    edits.adjust_points(db, budtender, amount=amount, note=reason, actor=user.username, now=at)
    saved = f"{amount:+,} points"
    context = _panel(request, db, user, budtender, at, saved=saved)
    return render(request, "budtenders/_panel.html", context, headers=CHANGED)
