"""The start page: the dashboard is where a logged-in person lands."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from conductor.web.deps import PageUser

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(user: PageUser) -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=303)
