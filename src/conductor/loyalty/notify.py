"""Telling the person who sent a receipt what became of it: a text through the gateway queue
(an opted-out number gets nothing) and an e-mail when mail is set up (an opted-out address gets
nothing). A confirmation that cannot go out is logged by category and never undoes the receipt.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from conductor.budtenders.models import Dispensary
from conductor.errors import InvalidInput
from conductor.loyalty import points
from conductor.loyalty.models import APPROVED, DUPLICATE, REJECTED, Receipt
from conductor.mail import MailSettings
from conductor.messaging.email import send_email_message
from conductor.messaging.service import queue_outbound

log = logging.getLogger(__name__)
RESPONDER = "loyalty"


def confirmation(session: Session, receipt: Receipt, *, earned: int, shop: str) -> str:
    """The words sent for this receipt's current status."""
    first = (receipt.submitter_name.split() or ["there"])[0]
    where = ""
    if receipt.dispensary_id is not None:
        dispensary = session.get(Dispensary, receipt.dispensary_id)
        where = f" from {dispensary.name}" if dispensary else ""
    if receipt.status == APPROVED:
        balance = points.customer_balance(session, receipt.customer_id or 0)
        return (
            f"{shop}: thanks {first}! Your receipt{where} earned {earned:,} points. "
            f"Your balance is {balance:,} points."
        )
    if receipt.status == DUPLICATE:
        return f"{shop}: we already have this receipt{where}, so it earns no more points."
    if receipt.status == REJECTED:
        return (
            f"{shop}: sorry {first}, your receipt{where} earns no points: {receipt.decision_note}."
        )
    return (
        f"{shop}: thanks {first}! We got your receipt{where}; a person will check it and "
        "text you when your points are in."
    )


def confirm(
    session: Session,
    receipt: Receipt,
    *,
    earned: int,
    shop: str,
    now: datetime,
    mail: MailSettings | None,
    region: str = "US",
) -> list[str]:
    """Send the confirmation by text and e-mail; returns the channels it went to."""
    body = confirmation(session, receipt, earned=earned, shop=shop)
    sent: list[str] = []
    if receipt.phone:
        try:
            queue_outbound(
                session,
                phone_number=receipt.phone,
                content=body,
                now=now,
                region=region,
                responder=RESPONDER,
            )
            sent.append("sms")
        except InvalidInput as exc:
            log.info("receipt confirmation not texted: %s", type(exc).__name__)
    if receipt.email and mail is not None:
        try:
            message = send_email_message(
                session,
                mail,
                to=receipt.email,
                subject=f"Your {shop} receipt",
                body=body,
                now=now,
                customer_id=receipt.customer_id,
                responder=RESPONDER,
            )
        except InvalidInput as exc:
            log.info("receipt confirmation not e-mailed: %s", type(exc).__name__)
        else:
            if message.status != "failed":
                sent.append("email")
    return sent
