"""Messages: conversation threads by phone number, one conversation, replying.

The outbox (outbound texts and what a person can do to them) is in :mod:`.outbox`; both share
the page context built here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conductor.accounts.models import User
from conductor.accounts.roles import allowed
from conductor.errors import InvalidInput
from conductor.gateway.window import SendingWindow
from conductor.messaging import inbox
from conductor.messaging import service as messaging
from conductor.messaging import status as st
from conductor.web.deps import AppSettings, DbSession, PageUser, now, require
from conductor.web.security import check_csrf
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
CSRF = [Depends(check_csrf)]
Sender = Annotated[User, Depends(require("send"))]
Editor = Annotated[User, Depends(require("edit"))]
CHANGED = {"HX-Trigger-After-Swap": "messages-changed"}
"""Tells the thread list (and counters) on the page to refresh after a change."""


def clock(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    """A formatter for the shop's local time with its weekday: ``Fri 5 Dec 10:00``."""

    def show(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(zone)
        return f"{local:%a} {local.day} {local:%b %H:%M}"

    return show


def local_input(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    """A formatter for ``<input type="datetime-local">`` values in the shop's time zone."""

    def show(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if moment else ""

    return show


def clean(text: str, limit: int = 200) -> str:
    """A query value fit for a database parameter: no NUL, bounded length, trimmed."""
    return text.replace("\x00", "").strip()[:limit]


def filters(q: str = "", status: str = "", direction: str = "") -> inbox.Filters:
    known = (*st.INBOUND_STATUSES, *st.OUTBOUND_STATUSES)
    return inbox.Filters(
        search=clean(q),
        status=status if status in known else None,
        direction=direction if direction in (st.INBOUND, st.OUTBOUND) else None,
    )


def page_context(request: Request, user: User, db: Session, **extra: Any) -> dict[str, Any]:
    settings = request.app.state.settings
    order = {s: i for i, s in enumerate((*st.INBOUND_STATUSES, *st.OUTBOUND_STATUSES))}
    counts = sorted(messaging.status_counts(db).items(), key=lambda kv: order.get(kv[0][1], 99))
    window = SendingWindow(settings.send_window_start, settings.send_window_end, settings.zone)
    return {
        "user": user,
        "nav": "messages",
        "counts": counts,
        "local": clock(settings.zone),
        "local_input": local_input(settings.zone),
        "max_chars": messaging.MAX_CONTENT_CHARS,
        "window": window,
        "inbound_statuses": st.INBOUND_STATUSES,
        "outbound_statuses": st.OUTBOUND_STATUSES,
        "transitions": st.MANUAL_TRANSITIONS,
        "editable": messaging.EDITABLE_STATUSES,
        "can_delete": allowed(user.role, "delete"),
        **extra,
    }


Filtered = Annotated[inbox.Filters, Depends(filters)]


@router.get("/messages")
def inbox_page(
    request: Request, user: PageUser, db: DbSession, chosen: Filtered, phone: str = ""
) -> Response:
    phone = clean(phone, 40)
    context = page_context(request, user, db, filters=chosen, phone=phone)
    context["threads"] = inbox.threads(db, chosen)
    if phone:
        context |= _conversation(db, phone)
    return render(request, "messages/index.html", context)


@router.get("/messages/threads")
def thread_list(
    request: Request, user: PageUser, db: DbSession, chosen: Filtered, phone: str = ""
) -> Response:
    threads = inbox.threads(db, chosen)
    context = page_context(request, user, db, threads=threads, phone=phone, oob_stats=True)
    return render(request, "messages/_threads.html", context)


@router.get("/messages/stats")
def stats(request: Request, user: PageUser, db: DbSession) -> Response:
    return render(request, "messages/_stats.html", page_context(request, user, db))


def _conversation(db: Session, phone: str) -> dict[str, Any]:
    messages = inbox.conversation(db, phone)
    customer = inbox.customers_for(db, messages[-1:]).get(messages[-1].id) if messages else None
    unread = sum(m.direction == st.INBOUND and m.status == st.UNREAD for m in messages)
    return {"phone": phone, "messages": messages, "customer": customer, "unread": unread}


def _show_conversation(
    request: Request, user: User, db: Session, phone: str, *, status_code: int = 200, **extra: Any
) -> Response:
    context = page_context(request, user, db, **_conversation(db, clean(phone, 40)), **extra)
    context["oob"] = True  # a partial response also updates the selected thread in the filters
    headers = CHANGED if status_code == 200 else None
    name = "messages/_conversation.html"
    return render(request, name, context, status_code=status_code, headers=headers)


@router.get("/messages/thread")
def thread(request: Request, user: PageUser, db: DbSession, phone: str = "") -> Response:
    return _show_conversation(request, user, db, phone)


@router.get("/messages/thread/bubbles")
def bubbles(request: Request, user: PageUser, db: DbSession, phone: str = "") -> Response:
    context = page_context(request, user, db, **_conversation(db, clean(phone, 40)))
    return render(request, "messages/_bubbles.html", context)


@router.post("/messages/reply", dependencies=CSRF)
def reply(
    request: Request,
    user: Sender,
    db: DbSession,
    settings: AppSettings,
    phone: Annotated[str, Form()] = "",
    content: Annotated[str, Form()] = "",
) -> Response:
    try:
        messaging.reply(db, clean(phone, 40), content, actor=user.username, now=now(),
                        region=settings.default_region)  # fmt: skip
    except InvalidInput as exc:
        return _show_conversation(request, user, db, phone, status_code=422,
                                  error=str(exc), draft=content)  # fmt: skip
    return _show_conversation(request, user, db, phone, notice="Reply queued.")


@router.post("/messages/thread/read", dependencies=CSRF)
def mark_read(
    request: Request, user: Editor, db: DbSession, phone: Annotated[str, Form()] = ""
) -> Response:
    messaging.mark_thread_read(db, clean(phone, 40), actor=user.username, now=now())
    return _show_conversation(request, user, db, phone)
