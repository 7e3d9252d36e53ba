"""Consent per number: an append-only history, and the current state beside it.

Every change appends a ``consent_events`` row and updates ``consent_state`` in the same
transaction; customers with that number get the same SMS consent on their record. The gateway
checks ``consent_state`` when it claims a message, so after an opt-out nothing reaches the number
(whoever queued it: the bot, a person, the API, a campaign) except the one confirmation
(``Message.compliance``), until the number opts in again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.crm.models import Customer
from conductor.messaging.models import ConsentEvent, ConsentState

OPT_IN, OPT_OUT = "opt_in", "opt_out"


def record_consent(
    session: Session,
    phone_number: str,
    *,
    opted_out: bool,
    source: str,
    at: datetime,
    channel: str = "sms",
    message_id: int | None = None,
) -> ConsentEvent:
    event = ConsentEvent(
        phone_number=phone_number, channel=channel, kind=OPT_OUT if opted_out else OPT_IN,
        source=source, at=at, message_id=message_id,
    )  # fmt: skip
    session.add(event)
    state = session.get(ConsentState, (phone_number, channel))
    if state is None:
        state = ConsentState(phone_number=phone_number, channel=channel, source=source, at=at)
        session.add(state)
    state.opted_out, state.source, state.at = opted_out, source, at
    if channel == "sms":
        for customer in session.scalars(select(Customer).where(Customer.phone == phone_number)):
            customer.sms_consent = not opted_out
            customer.sms_consent_source, customer.sms_consent_at = source, at
    session.flush()
    return event


def is_opted_out(session: Session, phone_number: str, channel: str = "sms") -> bool:
    state = session.get(ConsentState, (phone_number, channel))
    return bool(state and state.opted_out)


def history(session: Session, phone_number: str) -> list[ConsentEvent]:
    stmt = (
        select(ConsentEvent)
        .where(ConsentEvent.phone_number == phone_number)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    return list(session.scalars(stmt))
