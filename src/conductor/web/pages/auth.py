"""Log in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from conductor.accounts import service as accounts
from conductor.web.deps import DbSession, now
from conductor.web.security import check_csrf, csrf_token
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe(next), "error": None})


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "?"
    if limiter.blocked(client, username):
        error = "Too many attempts: wait a few minutes."
        return render(request, "login.html", {"next": _safe(next), "error": error}, status_code=429)
    user = accounts.authenticate(db, username, password, now())
    if user is None:
        limiter.failed(client, username)
        error = "Wrong user name or password."
        return render(request, "login.html", {"next": _safe(next), "error": error}, status_code=401)
    limiter.succeeded(client, username)
    request.session.clear()
    request.session["user_id"] = user.id
    csrf_token(request)  # a fresh token for the new session
    return RedirectResponse(_safe(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _safe(target: str) -> str:
    """Only local paths: no open redirect to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
