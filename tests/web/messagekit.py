"""Messages for console and API tests, made through the messaging and gateway service functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from conductor.gateway import outbound
from conductor.messaging import service as messaging
from conductor.messaging.models import Message
from factories import make_customer

MAYA = "+12135550101"
STRANGER = "+13105550199"
FRIDAY_10AM_LA = datetime(2025, 12, 5, 18, 0, tzinfo=UTC)


def inbound(session: Session, sender: str, content: str, at: datetime) -> Message:
    message = messaging.store_inbound(
        session, sender=sender, content=content, dedup_key=f"{sender}-{at.isoformat()}",
        received_at=at,
    )  # fmt: skip
    assert message is not None
    return message


def outgoing(session: Session, phone: str, content: str, **options: Any) -> Message:
    now = datetime.now(UTC)
    return messaging.queue_outbound(
        session, phone_number=phone, content=content, now=now, **options
    )


def sent(session: Session, message: Message) -> Message:
    outbound.finish_sent(session, message, datetime.now(UTC))
    return message


def failed(session: Session, message: Message) -> Message:
    policy = outbound.RetryPolicy()
    outbound.send_failed(session, message, reason="modem said no", permanent=True,
                         now=datetime.now(UTC), policy=policy)  # fmt: skip
    return message


@dataclass(frozen=True)
class Shop:
    """Ids of a small inbox: Maya (a customer) wrote twice; a stranger wrote once."""

    maya_id: int
    first: int
    second: int
    stranger: int


def small_inbox(sessions: sessionmaker[Session]) -> Shop:
    with sessions.begin() as s:
        maya = make_customer(s, first_name="Maya", last_name="Lopez", phone=MAYA)
        first = inbound(s, MAYA, "Do you have gummies?", FRIDAY_10AM_LA)
        second = inbound(s, MAYA, "Sour ones please", FRIDAY_10AM_LA + timedelta(minutes=2))
        other = inbound(s, STRANGER, "What time do you open", FRIDAY_10AM_LA - timedelta(hours=1))
        return Shop(maya.id, first.id, second.id, other.id)
