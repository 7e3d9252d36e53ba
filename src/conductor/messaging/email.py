"""E-mail to customers, logged in the ``messages`` table beside the texts.

An e-mail is sent at once (there is no e-mail queue) and recorded as one outbound row with
``channel='email'`` and the address in ``phone_number``: ``sent``, or ``failed`` with the
reason in ``error_message``. The gateway only ever claims ``channel='sms'`` rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.crm.models import Customer
from conductor.errors import InvalidInput, MailError
from conductor.mail import MailSettings, check_subject, email_address, send_mail
from conductor.messaging import status as st
from conductor.messaging.consent import is_opted_out
from conductor.messaging.models import Message

EMAIL = "email"
MAX_ADDRESS_CHARS = 40
"""``messages.phone_number`` holds the address: ``String(40)``; longer addresses are refused."""


def send_email_message(
    session: Session,
    settings: MailSettings,
    *,
    to: str,
    subject: str,
    body: str,
    now: datetime,
    customer_id: int | None = None,
    in_reply_to_id: int | None = None,
    responder: str | None = None,
) -> Message:
    """Send an e-mail and log it; returns the row, ``sent`` or ``failed``.

    A failure to send is recorded on the row (``error_message``), not raised: the row must
    outlive the caller's transaction like the attempt did. A bad or opted-out address, an empty
    body or a line break in the subject raise InvalidInput before anything is sent or stored.
    """
    address = _checked_address(session, to)
    check_subject(subject)
    if not body.strip():
        raise InvalidInput("the e-mail is empty")
    message = Message(
        phone_number=address, content=body, direction=st.OUTBOUND, status=st.SENDING,
        channel=EMAIL, created_at=now, updated_at=now, in_reply_to_id=in_reply_to_id,
        responder=responder, customer_id=customer_id or _customer_id(session, address),
    )  # fmt: skip
    session.add(message)
    session.flush()
    try:
        send_mail(settings, to=address, subject=subject, body=body)
    except MailError as exc:
        message.status, message.error_message = st.FAILED, str(exc)
    else:
        message.status, message.sent_at = st.SENT, now
    session.flush()
    return message


def _checked_address(session: Session, to: str) -> str:
    address = email_address(to)
    if len(address) > MAX_ADDRESS_CHARS:
        raise InvalidInput(f"e-mail addresses over {MAX_ADDRESS_CHARS} characters cannot be logged")
    if is_opted_out(session, address, channel=EMAIL):
        raise InvalidInput(f"{address} opted out of e-mail")
    return address


def _customer_id(session: Session, address: str) -> int | None:
    stmt = (
        select(Customer.id)
        .where(Customer.email == address, Customer.merged_into_id.is_(None))
        .order_by(Customer.last_visit_at.desc().nulls_last(), Customer.id)
        .limit(1)
    )
    return session.scalar(stmt)
