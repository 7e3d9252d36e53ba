"""The dashboard: how the shop's texting and sales are going, at a glance.

The page itself only counts messages by status; each chart is a card that loads on its own
(htmx), so the page shows at once and a slow report never holds up the others. Charts are
Chart.js configurations built here and drawn by ``static/charts.js``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from conductor.crm import reports
from conductor.messaging import reports as message_reports
from conductor.messaging import service as messaging
from conductor.web.deps import DbSession, PageUser, now
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
Now = Annotated[datetime, Depends(now)]
MESSAGE_DAYS = 30
INBOUND, OUTBOUND, REVENUE = "#5b8def", "#2f6f4f", "#2f6f4f"
TIER_COLOURS = {"New": "#c9ced8", "Bronze": "#c08a4e", "Silver": "#9aa5b1", "Gold": "#e0b43a",
                "Platinum": "#4b5f8a"}  # fmt: skip


def _day_labels(days: list[Any]) -> list[str]:
    return [f"{d.day:%b} {d.day.day}" for d in days]


def _bar_options(stacked: bool) -> dict[str, Any]:
    return {
        "maintainAspectRatio": False,
        "interaction": {"mode": "index", "intersect": False},
        "plugins": {"legend": {"position": "bottom"}},
        "scales": {
            "x": {"stacked": stacked, "grid": {"display": False}},
            "y": {"stacked": stacked, "beginAtZero": True, "ticks": {"precision": 0}},
        },
    }


@router.get("/dashboard")
def dashboard(request: Request, user: PageUser, db: DbSession) -> Response:
    counts = sorted(messaging.status_counts(db).items())
    return render(request, "dashboard/index.html",
                  {"user": user, "nav": "dashboard", "counts": counts})  # fmt: skip


@router.get("/dashboard/messages")
def messages_card(request: Request, user: PageUser, db: DbSession, at: Now) -> Response:
    zone = request.app.state.settings.zone
    days = message_reports.messages_per_day(db, days=MESSAGE_DAYS, now=at, zone=zone)
    chart = {
        "type": "bar",
        "data": {
            "labels": _day_labels(days),
            "datasets": [
                {
                    "label": "Received",
                    "data": [d.inbound for d in days],
                    "backgroundColor": INBOUND,
                },
                {"label": "Sent", "data": [d.outbound for d in days], "backgroundColor": OUTBOUND},
            ],
        },
        "options": _bar_options(stacked=True),
    }
    totals = {"inbound": sum(d.inbound for d in days), "outbound": sum(d.outbound for d in days)}
    context = {"chart": chart, "totals": totals, "days": MESSAGE_DAYS}
    return render(request, "dashboard/_messages.html", context)


@router.get("/dashboard/revenue")
def revenue_card(
    request: Request,
    user: PageUser,
    db: DbSession,
    at: Now,
    days: Annotated[int, Query(ge=7, le=90)] = 30,
) -> Response:
    zone = request.app.state.settings.zone
    rows = reports.revenue_per_day(db, days=days, now=at, zone=zone)
    dataset = {"label": "Revenue", "data": [float(r.revenue) for r in rows],
               "backgroundColor": REVENUE, "borderRadius": 2}  # fmt: skip
    options = _bar_options(stacked=False) | {"plugins": {"legend": {"display": False}}}
    labels = _day_labels(rows)
    chart = {"type": "bar", "money": True, "data": {"labels": labels, "datasets": [dataset]},
             "options": options}  # fmt: skip
    revenue = sum((r.revenue for r in rows), Decimal(0))
    sales = sum(r.sales for r in rows)
    context = {"chart": chart, "days": days, "revenue": revenue, "sales": sales,
               "average": revenue / sales if sales else None}  # fmt: skip
    return render(request, "dashboard/_revenue.html", context)


@router.get("/dashboard/tiers")
def tiers_card(request: Request, user: PageUser, db: DbSession) -> Response:
    tiers = reports.customers_per_tier(db)
    chart = {
        "type": "doughnut",
        "data": {
            "labels": [f"{name} · {n:,}" for name, n in tiers.items()],
            "datasets": [{"data": list(tiers.values()),
                          "backgroundColor": [TIER_COLOURS[t] for t in tiers]}],
        },
        "options": {"maintainAspectRatio": False, "cutout": "58%",
                    "plugins": {"legend": {"position": "right"}}},
    }  # fmt: skip
    context = {"chart": chart, "tiers": tiers, "total": sum(tiers.values())}
    return render(request, "dashboard/_tiers.html", context)


@router.get("/dashboard/win-back")
def win_back_card(request: Request, user: PageUser, db: DbSession, at: Now) -> Response:
    summary = reports.win_back_summary(db, now=at, top=5)
    return render(request, "dashboard/_win_back.html", {"summary": summary})
