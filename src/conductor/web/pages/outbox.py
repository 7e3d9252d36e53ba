"""The outbox: outbound texts with their statuses, and what a person can do to each (edit,
approve, schedule, cancel, retry, delete) or to several at once.

Every change goes through :mod:`conductor.messaging.service`, which checks the status and writes
the audit row. A refused change answers 409 (or 422 for a bad value) with the row re-drawn and
the reason shown in it; the page's htmx config swaps those answers in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conductor.accounts.models import User
from conductor.accounts.roles import allowed
from conductor.errors import InvalidInput
from conductor.messaging import inbox
from conductor.messaging import service as messaging
from conductor.messaging import status as st
from conductor.messaging.models import Message
from conductor.web.deps import AppSettings, DbSession, PageUser, now, require
from conductor.web.pages.messages import CHANGED, CSRF, Editor, Filtered, page_context
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
Deleter = Annotated[User, Depends(require("delete"))]
Change = Callable[[Message], None]


@router.get("/messages/outbox")
def outbox_page(request: Request, user: PageUser, db: DbSession, chosen: Filtered) -> Response:
    context = page_context(request, user, db, filters=chosen, rows=_rows(db, chosen))
    return render(request, "messages/outbox.html", context)


@router.get("/messages/outbox/rows")
def outbox_rows(request: Request, user: PageUser, db: DbSession, chosen: Filtered) -> Response:
    context = page_context(request, user, db, rows=_rows(db, chosen))
    return render(request, "messages/_outbox_rows.html", context)


def _rows(db: Session, chosen: inbox.Filters) -> list[tuple[Message, str]]:
    messages = inbox.outbox(db, chosen)
    customers = inbox.customers_for(db, messages)
    return [(m, customers[m.id].name if m.id in customers else "") for m in messages]


def _row(
    request: Request,
    user: User,
    db: Session,
    message: Message,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    customer = inbox.customers_for(db, [message]).get(message.id)
    context = page_context(request, user, db, m=message, name=customer.name if customer else "")
    name = "messages/_outbox_row.html"
    return render(request, name, context | extra, status_code=status_code, headers=headers)


def _apply(
    request: Request, user: User, db: Session, message_id: int, change: Change, **keep: Any
) -> Response:
    """Make one change and re-draw the row; a refused change shows why (and ``keep``s the form)."""
    message = messaging.get_message(db, message_id)
    try:
        change(message)
    except messaging.StateConflict as exc:
        return _row(request, user, db, message, status_code=409, error=str(exc), **keep)
    except InvalidInput as exc:
        return _row(request, user, db, message, status_code=422, error=str(exc), **keep)
    return _row(request, user, db, message, headers=CHANGED)


@router.get("/messages/{message_id:int}/row")
def row(request: Request, user: PageUser, db: DbSession, message_id: int) -> Response:
    return _row(request, user, db, messaging.get_message(db, message_id))


@router.get("/messages/{message_id:int}/edit")
def edit_form(request: Request, user: Editor, db: DbSession, message_id: int) -> Response:
    return _row(request, user, db, messaging.get_message(db, message_id), editing=True)


@router.post("/messages/{message_id:int}/content", dependencies=CSRF)
def edit(
    request: Request,
    user: Editor,
    db: DbSession,
    message_id: int,
    content: Annotated[str, Form()] = "",
) -> Response:
    def change(m: Message) -> None:
        messaging.edit_content(db, m, content, actor=user.username, now=now())

    return _apply(request, user, db, message_id, change, editing=True, draft=content)


@router.post("/messages/{message_id:int}/approve", dependencies=CSRF)
def approve(request: Request, user: Editor, db: DbSession, message_id: int) -> Response:
    def change(m: Message) -> None:
        messaging.approve(db, m, actor=user.username, now=now())

    return _apply(request, user, db, message_id, change)


@router.post("/messages/{message_id:int}/cancel", dependencies=CSRF)
def cancel(request: Request, user: Editor, db: DbSession, message_id: int) -> Response:
    def change(m: Message) -> None:
        messaging.set_status(db, m, st.CANCELLED, actor=user.username, now=now())

    return _apply(request, user, db, message_id, change)


@router.post("/messages/{message_id:int}/retry", dependencies=CSRF)
def retry(request: Request, user: Editor, db: DbSession, message_id: int) -> Response:
    def change(m: Message) -> None:
        messaging.set_status(db, m, st.QUEUED, actor=user.username, now=now())

    return _apply(request, user, db, message_id, change)


@router.post("/messages/{message_id:int}/schedule", dependencies=CSRF)
def schedule(
    request: Request,
    user: Editor,
    db: DbSession,
    settings: AppSettings,
    message_id: int,
    when: Annotated[str, Form()] = "",
) -> Response:
    def change(m: Message) -> None:
        moment = shop_time(when, settings.zone)
        messaging.schedule(db, m, moment, actor=user.username, now=now())

    return _apply(request, user, db, message_id, change, when=when)


def shop_time(text: str, zone: ZoneInfo) -> datetime:
    """A ``datetime-local`` value (``2025-12-05T10:00``), read in the shop's time zone, in UTC."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("pick a date and time to send at") from None
    if local.tzinfo is not None:
        raise InvalidInput("give the time without a zone: it is read in the shop's time zone")
    return local.replace(tzinfo=zone).astimezone(UTC)


@router.post("/messages/{message_id:int}/delete", dependencies=CSRF)
def delete(request: Request, user: Deleter, db: DbSession, message_id: int) -> Response:
    message = messaging.get_message(db, message_id)
    try:
        messaging.delete_message(db, message, actor=user.username, now=now())
    except InvalidInput as exc:
        return _row(request, user, db, message, status_code=409, error=str(exc))
    return Response("", media_type="text/html", headers=CHANGED)  # the row disappears


@router.post("/messages/outbox/bulk", dependencies=CSRF)
def bulk(
    request: Request,
    user: Editor,
    db: DbSession,
    chosen: Filtered,
    action: Annotated[str, Form()] = "",
    ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    if action == "delete" and not allowed(user.role, "delete"):
        raise HTTPException(403, f"your role ({user.role}) may not delete")
    notice, refused = "Select messages first.", list[str]()
    if ids:
        try:
            done, refused = messaging.bulk_action(db, ids, action, actor=user.username, now=now())
        except InvalidInput as exc:
            done, refused = 0, [str(exc)]
        notice = f"{done} of {len(set(ids))} {_past(action)}."
    rows = _rows(db, chosen)
    context = page_context(request, user, db, rows=rows, notice=notice, refused=refused)
    return render(request, "messages/_outbox_rows.html", context, headers=CHANGED)


def _past(action: str) -> str:
    return {"approve": "approved", "cancel": "cancelled", "delete": "deleted"}.get(
        action, "changed"
    )
