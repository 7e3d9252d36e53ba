"""Message state changes shared by the gateway, the console, the API, the bot and the CLI."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conductor.accounts.service import audit
from conductor.crm.models import Customer
from conductor.crm.phone import normalize_phone
from conductor.errors import InvalidInput, NotFound
from conductor.messaging import status as st
from conductor.messaging.consent import is_opted_out
from conductor.messaging.models import Message, MessagePart

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
    compliance: bool = False,
    responder: str | None = None,
) -> Message:
    """Queue a text for the gateway (or save it as a suggestion for a person to approve).

    A number that opted out is refused here (and again when the gateway claims the message),
    except for a ``compliance`` confirmation of the opt-out itself.
    """
    e164 = normalize_phone(phone_number, region)
    if e164 is None:
        raise InvalidInput(f"not a phone number: {phone_number!r}")
    if not compliance and is_opted_out(session, e164):
        raise InvalidInput(f"{e164} opted out of texts (STOP); it must opt in again (START)")
    check_content(content)
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
        compliance=compliance,
        responder=responder,
        customer_id=_customer_id(session, e164),
    )
    session.add(message)
    session.flush()
    return message


def check_content(content: str) -> None:
    """Refuse a text that is empty, too long or not storable (NUL, lone surrogates)."""
    if not content.strip():
        raise InvalidInput("message text is empty")
    if len(content) > MAX_CONTENT_CHARS:
        raise InvalidInput(f"message text is {len(content)} characters, over {MAX_CONTENT_CHARS}")
    if "\x00" in content or _unencodable(content):
        raise InvalidInput("message text contains characters that cannot be sent")


def _unencodable(content: str) -> bool:
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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


# A person's actions (console, API): each checks the message's current status under a row lock,
# changes it through the functions above and writes an audit row naming the person.

EDITABLE_STATUSES: Final = frozenset(
    {st.SUGGESTED, st.APPROVED, st.QUEUED, st.SCHEDULED, st.FAILED}
)
"""Outbound texts a person may still reword: none of them has started going out."""

BULK_ACTIONS: Final = ("approve", "cancel", "delete")


class StateConflict(InvalidInput):
    """The message's current status does not allow the change; ``allowed`` lists what would be
    allowed instead (next statuses for a transition, statuses that allow an edit)."""

    def __init__(self, message: Message, problem: str, allowed: Iterable[str]) -> None:
        self.status = message.status
        self.allowed = tuple(sorted(allowed))
        super().__init__(f"message {message.id} is {message.status}; {problem}")


def _lock(session: Session, message: Message) -> None:
    """Re-read the row (``FOR UPDATE`` on PostgreSQL) so checks see what the gateway did."""
    session.refresh(message, with_for_update=True)


def _snapshot(message: Message) -> dict[str, Any]:
    scheduled = message.scheduled_for.isoformat() if message.scheduled_for else None
    return {"status": message.status, "content": message.content, "scheduled_for": scheduled}


def _audit(
    session: Session,
    message: Message,
    action: str,
    before: dict[str, Any] | None,
    actor: str,
    now: datetime,
) -> None:
    after = None if action == "message.delete" else _snapshot(message)
    audit(session, actor=actor, action=action, entity="message", entity_id=message.id,
          before=before, after=after, now=now)  # fmt: skip


def _transition(session: Session, message: Message, new_status: str) -> None:
    allowed = st.MANUAL_TRANSITIONS.get(message.status, frozenset())
    if new_status not in allowed:
        choices = ", ".join(sorted(allowed)) or "none"
        raise StateConflict(message, f"it can become: {choices}, not {new_status}", allowed)


def set_status(
    session: Session, message: Message, new_status: str, *, actor: str, now: datetime
) -> None:
    """Cancel, retry, requeue, mark read ...: a manual transition, audited."""
    _lock(session, message)
    _transition(session, message, new_status)
    before = _snapshot(message)
    change_status(session, message, new_status, now=now)
    _audit(session, message, "message.status", before, actor, now)


def approve(session: Session, message: Message, *, actor: str, now: datetime) -> None:
    """A suggested (or approved) text goes out: queued, or scheduled if it has a future time."""
    _lock(session, message)
    if message.status not in (st.SUGGESTED, st.APPROVED):
        raise StateConflict(message, "only suggested texts need approval", [st.SUGGESTED])
    later = message.scheduled_for is not None and message.scheduled_for > now
    set_status(session, message, st.SCHEDULED if later else st.QUEUED, actor=actor, now=now)


def schedule(
    session: Session, message: Message, when: datetime, *, actor: str, now: datetime
) -> None:
    """Send at ``when`` (the gateway still holds it until the sending window opens)."""
    if when.tzinfo is None:
        raise InvalidInput("the time to send at must be timezone-aware")
    if when < now - timedelta(minutes=1):
        raise InvalidInput("that time has already passed: pick a later one")
    _lock(session, message)
    if message.status != st.SCHEDULED:
        _transition(session, message, st.SCHEDULED)
    before = _snapshot(message)
    message.scheduled_for = when
    message.updated_at = now
    if message.status != st.SCHEDULED:
        change_status(session, message, st.SCHEDULED, now=now)
    session.flush()
    _audit(session, message, "message.schedule", before, actor, now)


def edit_content(
    session: Session, message: Message, text: str, *, actor: str, now: datetime
) -> None:
    """Reword a text that has not started going out."""
    check_content(text)
    _lock(session, message)
    if message.direction != st.OUTBOUND or message.status not in EDITABLE_STATUSES:
        editable = ", ".join(sorted(EDITABLE_STATUSES))
        raise StateConflict(message, f"only {editable} texts can be edited", EDITABLE_STATUSES)
    before = _snapshot(message)
    message.content = text
    message.updated_at = now
    session.flush()
    _audit(session, message, "message.edit", before, actor, now)


def delete_message(session: Session, message: Message, *, actor: str, now: datetime) -> None:
    """Remove an outbound text (and its part records); replies pointing at it keep their text."""
    _lock(session, message)
    if message.direction != st.OUTBOUND:
        raise InvalidInput(f"message {message.id} is inbound: received texts are kept")
    if message.status == st.SENDING:
        raise StateConflict(message, "it is being sent right now and cannot be deleted", [])
    if message.compliance:
        raise InvalidInput(f"message {message.id} confirms a consent change: it is kept")
    before = _snapshot(message)
    _audit(session, message, "message.delete", before, actor, now)
    session.execute(
        update(Message).where(Message.in_reply_to_id == message.id).values(in_reply_to_id=None)
    )
    session.execute(delete(MessagePart).where(MessagePart.message_id == message.id))
    session.execute(delete(Message).where(Message.id == message.id))


def create_outbound(
    session: Session,
    *,
    actor: str,
    now: datetime,
    phone_number: str,
    content: str,
    region: str = "US",
    scheduled_for: datetime | None = None,
    suggested: bool = False,
    in_reply_to_id: int | None = None,
    responder: str = "person",
) -> Message:
    """:func:`queue_outbound` on behalf of ``actor`` (a person, or an API token's user), audited:
    who sent what."""
    message = queue_outbound(
        session, phone_number=phone_number, content=content, now=now, region=region,
        scheduled_for=scheduled_for, suggested=suggested, in_reply_to_id=in_reply_to_id,
        responder=responder,
    )  # fmt: skip
    _audit(session, message, "message.create", None, actor, now)
    return message


def mark_thread_read(session: Session, phone_number: str, *, actor: str, now: datetime) -> int:
    """Mark every unread text from ``phone_number`` read; returns how many there were."""
    unread = session.scalars(
        select(Message)
        .where(Message.phone_number == phone_number, Message.direction == st.INBOUND)
        .where(Message.status == st.UNREAD)
        .order_by(Message.id)
    ).all()
    for message in unread:
        set_status(session, message, st.READ, actor=actor, now=now)
    return len(unread)


def reply(
    session: Session,
    phone_number: str,
    content: str,
    *,
    actor: str,
    now: datetime,
    region: str = "US",
) -> Message:
    """Answer a conversation: queue the text (as a reply to the latest inbound text, which the
    gateway sends even outside the window) and mark the conversation read."""
    latest = session.scalar(
        select(Message.id)
        .where(Message.phone_number == phone_number, Message.direction == st.INBOUND)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    message = create_outbound(
        session, actor=actor, now=now, phone_number=phone_number, content=content,
        region=region, in_reply_to_id=latest,
    )  # fmt: skip
    mark_thread_read(session, phone_number, actor=actor, now=now)
    return message


def bulk_action(
    session: Session, ids: Iterable[int], action: str, *, actor: str, now: datetime
) -> tuple[int, list[str]]:
    """Approve, cancel or delete several texts; returns how many changed and why others did not."""
    if action not in BULK_ACTIONS:
        raise InvalidInput(f"bulk action must be one of {', '.join(BULK_ACTIONS)}, not {action!r}")
    done, refused = 0, []
    for message_id in sorted(set(ids)):
        try:
            message = get_message(session, message_id)
            if action == "approve":
                approve(session, message, actor=actor, now=now)
            elif action == "cancel":
                set_status(session, message, st.CANCELLED, actor=actor, now=now)
            else:
                delete_message(session, message, actor=actor, now=now)
        except (InvalidInput, NotFound) as exc:
            refused.append(str(exc))
        else:
            done += 1
    return done, refused


def update_message(
    session: Session,
    message: Message,
    *,
    actor: str,
    now: datetime,
    status: str | None = None,
    content: str | None = None,
    scheduled_for: datetime | None = None,
) -> None:
    """New text, a time to send at and/or a status, all or nothing (an API ``PATCH``).

    Asking for the status the message already has changes nothing; a time implies
    ``scheduled``.
    """
    with session.begin_nested():
        if content is not None:
            edit_content(session, message, content, actor=actor, now=now)
        if scheduled_for is not None:
            schedule(session, message, scheduled_for, actor=actor, now=now)
        if status is not None and status != message.status:
            set_status(session, message, status, actor=actor, now=now)
