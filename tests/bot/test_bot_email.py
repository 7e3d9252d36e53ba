"""An e-mail conversation is answered by e-mail, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import pytest
from botkit import NOW, OPTIONS, inbound, regular_customer, stock_the_shop
from sqlalchemy.orm import Session

from conductor.bot.offline import OfflineResponder
from conductor.bot.service import BotOptions, handle
from conductor.mail import MailSettings
from conductor.messaging import status as st
from conductor.messaging.models import Message
from smtpkit import Collect, smtp_collector


@pytest.fixture
def smtp() -> Iterator[tuple[Collect, MailSettings]]:
    with smtp_collector() as server:
        yield server


def test_an_email_conversation_gets_its_answer_by_email(
    session: Session, smtp: tuple[Collect, MailSettings]
) -> None:
    collect, mail = smtp
    stock_the_shop(session)
    customer = regular_customer(session)
    customer.email = "rae@example.com"
    message = inbound(session, "How many points do I have?")
    message.channel, message.phone_number = "email", "rae@example.com"
    options = BotOptions(OPTIONS.worker_id, OPTIONS.business, OPTIONS.zone, mail=mail)
    outcome = handle(session, message, options=options, responder=OfflineResponder(), now=NOW)
    reply = session.get_one(Message, outcome.reply_id)
    assert (reply.channel, reply.status, reply.phone_number) == (
        "email",
        st.SENT,
        "rae@example.com",
    )
    assert message.status == st.READ
    [envelope] = collect.mails
    assert envelope.rcpt_tos == ["rae@example.com"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert "420 points" in received.get_body().get_content()
    assert received["Subject"] == "Re: your message to MOTA Dispensary"


def test_without_email_settings_a_person_takes_the_email(session: Session) -> None:
    stock_the_shop(session)
    regular_customer(session)
    message = inbound(session, "How many points do I have?")
    message.channel, message.phone_number = "email", "rae@example.com"
    outcome = handle(session, message, options=OPTIONS, responder=OfflineResponder(), now=NOW)
    assert outcome.reply_id is None and message.status == st.NEEDS_HUMAN
