"""Message state changes shared by the gateway, the console, the API, the bot and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conductor.crm.models import Customer
from conductor.crm.phone import normalize_phone
from conductor.errors import InvalidInput, NotFound
from conductor.messaging import status as st
from conductor.messaging.models import Message

MAX_CONTENT_CHARS = 1600
"""Ten concatenated GSM-7 parts; longer texts are refused rather than silently cut."""


def queue_outbound(
    session: Session,
    *,
    phone_number: str,
    content: str,
    now: datetime,
    region: str = "US",
    scheduled_for: datetime | None = None,
    bulk: bool = False,
    suggested: bool = False,
    in_reply_to_id: int | None = None,
) -> Message:
    """Queue a text for the gateway (or save it as a suggestion for a person to approve)."""
    e164 = normalize_phone(phone_number, region)
    if e164 is None:
        raise InvalidInput(f"not a phone number: {phone_number!r}")
    if not content.strip():
        raise InvalidInput("message text is empty")
    if len(content) > MAX_CONTENT_CHARS:
        raise InvalidInput(f"message text is {len(content)} characters, over {MAX_CONTENT_CHARS}")
    if scheduled_for is not None and scheduled_for.tzinfo is None:
        raise InvalidInput("scheduled_for must be timezone-aware")
    status = st.QUEUED if scheduled_for is None else st.SCHEDULED
    if suggested:
        status = st.SUGGESTED
    message = Message(
        phone_number=e164,
        content=content,
        direction=st.OUTBOUND,
        status=status,
        channel="sms",
        created_at=now,
        updated_at=now,
        scheduled_for=scheduled_for,
        bulk=bulk,
        in_reply_to_id=in_reply_to_id,
        customer_id=_customer_id(session, e164),
    )
    session.add(message)
    session.flush()
    return message


def _customer_id(session: Session, e164: str) -> int | None:
    stmt = (
        select(Customer.id)
        .where(Customer.phone == e164, Customer.merged_into_id.is_(None))
        .order_by(Customer.last_visit_at.desc().nulls_last(), Customer.id)
        .limit(1)
    )
    return session.scalar(stmt)


@contextmanager
def _unless_duplicate(session: Session) -> Iterator[list[bool]]:
    """Run an insert in a savepoint; a unique-key clash marks it duplicate instead of failing."""
    outcome = [False]
    try:
        with session.begin_nested():
            yield outcome
    except IntegrityError:
        outcome[0] = True


def store_inbound(
    session: Session,
    *,
    sender: str,
    content: str,
    dedup_key: str,
    received_at: datetime,
    sender_timestamp: datetime | None = None,
    raw_pdu: str | None = None,
    modem_index: int | None = None,
    malformed: bool = False,
    error: str | None = None,
    part_count: int = 1,
    multipart_ref: int | None = None,
    incomplete: bool = False,
) -> Message | None:
    """Store a received text once: a second copy (same ``dedup_key``) returns None."""
    e164 = normalize_phone(sender) if sender.startswith("+") or sender.isdigit() else None
    message = Message(
        phone_number=e164 or sender,
        content=content,
        direction=st.INBOUND,
        status=st.NEEDS_HUMAN if malformed else st.UNREAD,
        channel="sms",
        created_at=received_at,
        updated_at=received_at,
        received_at=received_at,
        sender_timestamp=sender_timestamp,
        dedup_key=dedup_key,
        raw_pdu=raw_pdu,
        modem_index=modem_index,
        malformed=malformed,
        error_message=error,
        part_count=part_count,
        multipart_ref=multipart_ref,
        incomplete=incomplete,
        customer_id=_customer_id(session, e164) if e164 else None,
    )
    with _unless_duplicate(session) as duplicate:
        session.add(message)
        session.flush()
    return None if duplicate[0] else message


def get_message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"no message {message_id}")
    return message


def change_status(session: Session, message: Message, new_status: str, *, now: datetime) -> None:
    """A person's status change (approve, cancel, retry, mark read ...), checked against the
    allowed transitions; InvalidInput names what is allowed."""
    allowed = st.MANUAL_TRANSITIONS.get(message.status, frozenset())
    if new_status not in allowed:
        choices = ", ".join(sorted(allowed)) or "none"
        raise InvalidInput(
            f"message {message.id} is {message.status}; it can become: {choices}, not {new_status}"
        )
    if new_status == st.SCHEDULED and message.scheduled_for is None:
        raise InvalidInput("give a time to schedule the message for")
    if new_status == st.QUEUED:
        message.retry_count = 0
        message.next_attempt_at = None
        message.error_message = None
    message.status = new_status
    message.updated_at = now
    session.flush()


def status_counts(session: Session) -> dict[tuple[str, str], int]:
    stmt = select(Message.direction, Message.status, func.count()).group_by(
        Message.direction, Message.status
    )
    return {(d, s): n for d, s, n in session.execute(stmt)}
