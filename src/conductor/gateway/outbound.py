"""The outbound queue as the gateway sees it: claim with a lease, record each part, finish.

Claiming is a compare-and-set: ``UPDATE messages SET status='sending' ... WHERE id=:id AND
status=:seen`` must change exactly one row, so several gateways can share one queue (on
PostgreSQL the candidate is first locked with ``FOR UPDATE SKIP LOCKED``, so they do not even
collide). A lease that runs out (a gateway died) makes the row claimable again, but a message
with a part left ``submitting`` (``AT+CMGS`` may have gone out) is failed for a person to check,
never resent silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from conductor.messaging import status as st
from conductor.messaging.consent import is_opted_out
from conductor.messaging.models import Message, MessagePart

INTERRUPTED = "send interrupted: this message may have gone out; check before retrying"
OPTED_OUT = "not sent: the recipient opted out (STOP)"


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=30)

    def delay(self, retry_count: int) -> timedelta:
        delay: timedelta = min(self.first_delay * (2 ** max(retry_count - 1, 0)), self.max_delay)
        return delay


def _claimable(now: datetime, window_open: bool) -> ColumnElement[bool]:
    m = Message
    due = or_(m.next_attempt_at.is_(None), m.next_attempt_at <= now)
    queued = and_(m.status == st.QUEUED, due)
    ready = [
        queued if window_open else and_(queued, m.bulk.is_(False)),
        and_(m.status == st.SENDING, m.lease_until < now),
    ]
    if window_open:
        ready.append(and_(m.status == st.SCHEDULED, m.scheduled_for <= now))
    return and_(m.direction == st.OUTBOUND, m.channel == "sms", or_(*ready))


def claim_next(
    session: Session, *, gateway_id: str, now: datetime, lease: timedelta, window_open: bool
) -> Message | None:
    """Lease the next message to send (replies before bulk, oldest first), or None.

    Checked again at claim time, whoever queued the message: a number that opted out gets
    nothing but a compliance confirmation (the message is cancelled with the reason).
    """
    stmt = (
        select(Message.id, Message.status)
        .where(_claimable(now, window_open))
        .order_by(Message.bulk, Message.created_at, Message.id)
        .limit(5)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    for message_id, seen in session.execute(stmt).all():
        if _compare_and_set(session, message_id, seen, gateway_id, now, lease):
            message = session.get_one(Message, message_id, populate_existing=True)
            if _interrupted(message):
                _fail(message, INTERRUPTED, now)
            elif not message.compliance and is_opted_out(session, message.phone_number):
                _cancel(message, OPTED_OUT, now)
            else:
                return message
            session.flush()
    return None


def _compare_and_set(
    session: Session, message_id: int, seen: str, gateway_id: str, now: datetime, lease: timedelta
) -> bool:
    still = [Message.id == message_id, Message.status == seen]
    if seen == st.SENDING:
        still.append(Message.lease_until < now)
    result = session.execute(
        update(Message)
        .where(*still)
        .values(status=st.SENDING, claimed_by=gateway_id, lease_until=now + lease, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _interrupted(message: Message) -> bool:
    return any(part.state == "submitting" for part in message.parts)


def parts_done(message: Message) -> set[int]:
    """Sequence numbers of parts the modem has already accepted (never sent again)."""
    return {part.seq for part in message.parts if part.state == "sent"}


def begin_part(session: Session, message: Message, seq: int, now: datetime) -> MessagePart:
    """Record that part ``seq`` is about to be written to the modem; commit before sending."""
    gateway = message.claimed_by or ""
    part = MessagePart(seq=seq, state="submitting", submitted_at=now, gateway_id=gateway)
    message.parts.append(part)
    session.flush()
    return part


def part_sent(session: Session, part: MessagePart, tp_mr: int, now: datetime) -> None:
    part.state = "sent"
    part.tp_mr = tp_mr
    part.sent_at = now
    session.flush()


def part_refused(session: Session, part: MessagePart) -> None:
    """The modem answered with an error: this part certainly did not go out."""
    part.message.parts.remove(part)
    session.delete(part)
    session.flush()


def sent_last_day(session: Session, gateway_id: str, now: datetime) -> int:
    """SMS parts this gateway handed to its modem in the last 24 hours (the daily limit)."""
    stmt = select(func.count(MessagePart.id)).where(
        MessagePart.gateway_id == gateway_id, MessagePart.sent_at >= now - timedelta(days=1)
    )
    return session.scalar(stmt) or 0


def finish_sent(session: Session, message: Message, now: datetime) -> None:
    message.status = st.SENT
    message.sent_at = now
    message.lease_until = None
    message.error_message = None
    message.updated_at = now
    session.flush()


def send_failed(
    session: Session,
    message: Message,
    *,
    reason: str,
    permanent: bool,
    now: datetime,
    policy: RetryPolicy,
) -> None:
    """A transient failure is retried later with backoff; a permanent one (or too many) fails."""
    message.retry_count += 1
    if permanent or message.retry_count > policy.max_retries:
        _fail(message, reason, now)
    else:
        message.status = st.QUEUED
        message.error_message = reason
        message.next_attempt_at = now + policy.delay(message.retry_count)
        message.lease_until = None
        message.updated_at = now
    session.flush()


def _fail(message: Message, reason: str, now: datetime) -> None:
    message.status = st.FAILED
    message.error_message = reason
    message.lease_until = None
    message.updated_at = now


def _cancel(message: Message, reason: str, now: datetime) -> None:
    message.status = st.CANCELLED
    message.error_message = reason
    message.lease_until = None
    message.updated_at = now


def release(session: Session, message: Message, now: datetime) -> None:
    """Give a claimed message back untouched (shutdown before its first part was written)."""
    if not message.parts:
        message.status = st.SCHEDULED if message.scheduled_for else st.QUEUED
        message.lease_until = None
        message.claimed_by = None
        message.updated_at = now
        session.flush()


def record_status_report(
    session: Session, *, recipient: str, tp_mr: int, status: int, now: datetime
) -> Message | None:
    """Apply a delivery report (+CDS) to the part it answers: the newest part with that TP-MR
    sent to that number in the last 7 days. TP-ST 0x00-0x1F delivered, 0x20-0x3F still trying,
    0x40 and up failed for good."""
    stmt = (
        select(MessagePart)
        .join(Message, Message.id == MessagePart.message_id)
        .where(MessagePart.tp_mr == tp_mr, MessagePart.sent_at >= now - timedelta(days=7))
        .where(Message.phone_number == recipient)
        .order_by(MessagePart.sent_at.desc(), MessagePart.id.desc())
        .limit(1)
    )
    part = session.scalars(stmt).first()
    if part is None:
        return None
    part.report_status, part.reported_at = status, now
    message = part.message
    message.delivery_status = status
    if status >= 0x40:
        _fail(message, f"delivery failed (TP-ST 0x{status:02X})", now)
    elif status < 0x20 and _all_delivered(session, message):
        message.status, message.delivered_at, message.updated_at = st.DELIVERED, now, now
    session.flush()
    return message


def _all_delivered(session: Session, message: Message) -> bool:
    reports = session.scalars(
        select(MessagePart.report_status).where(MessagePart.message_id == message.id)
    ).all()
    return all(r is not None and r < 0x20 for r in reports)
