"""The dashboard: how the shop's texting and sales are going, at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from conductor.messaging import service as messaging
from conductor.web.deps import DbSession, PageUser
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard(request: Request, user: PageUser, db: DbSession) -> Response:
    counts = messaging.status_counts(db)
    return render(request, "dashboard/index.html",
                  {"user": user, "nav": "dashboard", "counts": sorted(counts.items())})  # fmt: skip
