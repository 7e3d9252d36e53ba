"""Messages over JSON: poll what came in (``since_id``), queue texts, change a status or a text.

Every input is bounded by its schema (lengths, ranges, enums, aware times), so what the OpenAPI
document promises is what the server checks; the rest (a phone number that does not parse, a
status change the message's state does not allow) answers 422 or 409 with the reason.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from conductor.messaging import inbox
from conductor.messaging import service as messaging
from conductor.web.deps import ApiUser, AppSettings, DbSession, api_user, now

ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]")
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in the database; larger ones cannot exist."""

Status = Literal[
    "unread", "read", "needs_human", "suggested", "approved", "queued", "scheduled", "sending",
    "sent", "delivered", "failed", "cancelled",
]  # fmt: skip
Direction = Literal["inbound", "outbound"]


def _storable(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return text


def _iso(value: object) -> object:
    """Only ISO 8601 text: pydantic would otherwise read numbers as Unix timestamps."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_START.match(value):
        raise ValueError("give an ISO 8601 time with its offset, e.g. 2025-12-05T10:00:00-08:00")
    return value


def _utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("time out of range") from None


NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
Content = Annotated[
    str,
    Field(
        min_length=1,
        max_length=messaging.MAX_CONTENT_CHARS,
        pattern=NOT_BLANK,
        description="The text: not blank, no NUL characters.",
    ),
    AfterValidator(_storable),
]
Phone = Annotated[
    str,
    Field(
        min_length=3,
        max_length=40,
        pattern=r"^\+?[0-9 ().\-]+$",
        examples=["+12135550123"],
        description="Any common format; read with the shop's default region.",
    ),
]
UtcTime = Annotated[AwareDatetime, BeforeValidator(_iso), AfterValidator(_utc)]
MessageId = Annotated[int, Path(ge=1, le=MAX_ID)]


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    phone_number: str
    content: str
    direction: Direction
    status: Status
    channel: str
    customer_id: int | None
    in_reply_to_id: int | None
    created_at: datetime
    updated_at: datetime
    scheduled_for: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    retry_count: int
    error_message: str | None
    responder: str | None = Field(description="Who wrote an outbound text: person, api, bot ...")
    compliance: bool = Field(description="A STOP/START/HELP confirmation.")


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone_number: Phone
    content: Content
    scheduled_for: UtcTime | None = Field(None, description="Send at (held to the window).")
    suggested: bool = Field(False, description="Save for a person to approve instead of sending.")


class MessageChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    status: Status | None = None
    content: Content | None = None
    scheduled_for: UtcTime | None = Field(
        None, description="Send at (not in the past: 422); implies scheduled."
    )

    @model_validator(mode="after")
    def _something(self) -> MessageChange:
        if self.status is None and self.content is None and self.scheduled_for is None:
            raise ValueError("give a status, a content and/or a scheduled_for")
        return self


class Problem(BaseModel):
    detail: str


class InvalidRequest(BaseModel):
    detail: str | list[dict[str, Any]] = Field(
        description="The reason, or the list of fields that failed validation."
    )


class Conflict(BaseModel):
    detail: str
    status: Status = Field(description="The message's current status.")
    allowed: list[Status] = Field(description="What it can become (or be edited in) instead.")


_400: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body cannot be read (not UTF-8)"}
}
_401: dict[int | str, dict[str, Any]] = {401: {"model": Problem, "description": "No valid token"}}
_404: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such message"}}
_409: dict[int | str, dict[str, Any]] = {
    409: {"model": Conflict, "description": "The message's status does not allow this"}
}
_422: dict[int | str, dict[str, Any]] = {
    422: {"model": InvalidRequest, "description": "An input is not acceptable"}
}

router = APIRouter(prefix="/api/v1", tags=["messages"], dependencies=[Depends(api_user)])


@router.get("/messages", responses=_401 | _422)
def list_messages(
    db: DbSession,
    direction: Direction | None = None,
    status: Status | None = None,
    since_id: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Only ids above")] = None,
    since: Annotated[UtcTime | None, Query(description="Only created at or after")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[MessageOut]:
    """Messages in id order; poll with ``since_id`` = the last id seen."""
    found = inbox.list_messages(db, direction=direction, status=status, since_id=since_id,
                                since=since, limit=limit)  # fmt: skip
    return [MessageOut.model_validate(m) for m in found]


@router.post("/messages", status_code=201, responses=_400 | _401 | _422)
def create_message(
    new: MessageCreate, user: ApiUser, db: DbSession, settings: AppSettings, response: Response
) -> MessageOut:
    """Queue a text (scheduled when ``scheduled_for`` is given, or saved as a suggestion)."""
    message = messaging.create_outbound(
        db, actor=user.username, now=now(), phone_number=new.phone_number, content=new.content,
        region=settings.default_region, scheduled_for=new.scheduled_for, suggested=new.suggested,
        responder="api",
    )  # fmt: skip
    response.headers["Location"] = f"/api/v1/messages/{message.id}"
    return MessageOut.model_validate(message)


@router.get("/messages/{message_id}", responses=_401 | _404 | _422)
def get_message(message_id: MessageId, db: DbSession) -> MessageOut:
    return MessageOut.model_validate(messaging.get_message(db, message_id))


@router.patch(
    "/messages/{message_id}",
    response_model=MessageOut,
    responses=_400 | _401 | _404 | _409 | _422,
)
def change_message(
    message_id: MessageId, change: MessageChange, user: ApiUser, db: DbSession
) -> MessageOut | JSONResponse:
    """Change the status (only as a person may: see 409) and/or the text or the time to send."""
    message = messaging.get_message(db, message_id)
    try:
        messaging.update_message(
            db, message, actor=user.username, now=now(), status=change.status,
            content=change.content, scheduled_for=change.scheduled_for,
        )  # fmt: skip
    except messaging.StateConflict as exc:
        body = {"detail": str(exc), "status": exc.status, "allowed": list(exc.allowed)}
        return JSONResponse(body, status_code=409)
    return MessageOut.model_validate(message)
