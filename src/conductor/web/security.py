"""CSRF tokens for forms and htmx requests, and the login rate limit.

Every page session gets a random CSRF token; forms carry it as ``csrf_token`` and htmx sends it
as the ``X-CSRF-Token`` header (set once on <body>). A state-changing request without the
session's token is refused with 403. The API is exempt: it authenticates with bearer tokens,
which a browser never sends by itself.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque

from fastapi import HTTPException, Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get(CSRF_FIELD) or "")
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


class LoginLimiter:
    """At most ``attempts`` failed logins per ``window`` seconds per client address and user."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def blocked(self, client: str, username: str) -> bool:
        return len(self._recent(client, username)) >= self.attempts

    def failed(self, client: str, username: str) -> None:
        self._recent(client, username).append(time.monotonic())

    def succeeded(self, client: str, username: str) -> None:
        self._failures.pop((client, username.lower()), None)

    def _recent(self, client: str, username: str) -> deque[float]:
        failures = self._failures[(client, username.lower())]
        while failures and failures[0] < time.monotonic() - self.window:
            failures.popleft()
        return failures
