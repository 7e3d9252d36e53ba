"""The message rollup equals what the messages table says after writes through every path:
texts received (the messaging service and the gateway's PDU store, duplicates and multi-part
texts included), texts queued, drafted, scheduled, sent, failed, deleted, e-mails logged, and
every status change a person or the gateway makes."""

from __future__ import annotations

import random
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.errors import InvalidInput
from conductor.gateway import inbound, outbound
from conductor.mail import MailSettings
from conductor.messaging import service as messaging
from conductor.messaging import status as st
from conductor.messaging.email import send_email_message
from conductor.messaging.models import Message
from conductor.modem import pdu
from conductor.rollup import service as rollups
from factories import make_customer
from rollupkit import messages_from_table, messages_kept, quarter_hour

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
NUMBERS = ["+12135550101", "+12135550102", "+13105550199"]
ACTOR = "test"


def _moment(rng: random.Random) -> datetime:
    moment = START + timedelta(minutes=15 * rng.randint(0, 30 * 96))
    return moment - timedelta(microseconds=1) if rng.random() < 0.3 else moment


def _unreachable_mail() -> MailSettings:
    """An SMTP server that refuses connections: the e-mail is logged as failed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return MailSettings(host="127.0.0.1", port=port, tls="none", user="", password="",
                        sender="MOTA <hello@mota.test>")  # fmt: skip


def _receive(session: Session, rng: random.Random, step: int) -> None:
    when = _moment(rng)
    if rng.random() < 0.5:
        messaging.store_inbound(session, sender=rng.choice(NUMBERS), content="hi",
                                dedup_key=f"k{rng.randint(0, 20)}", received_at=when)  # fmt: skip
        return
    text = "word " * (70 if rng.random() < 0.3 else 3)  # 350 characters: three parts
    for part in pdu.encode_deliver(rng.choice(NUMBERS), text, timestamp=when, reference=step):
        for _ in range(rng.choice([1, 1, 2])):  # the modem may hand a PDU over twice
            inbound.store_pdu(session, part, modem_index=None, received_at=when)


def _send(session: Session, rng: random.Random) -> None:
    now, phone = _moment(rng), rng.choice(NUMBERS)
    kind = rng.choice(["queue", "draft", "schedule", "reply", "email"])
    if kind == "email":
        send_email_message(session, _unreachable_mail(), to="rae@example.com", subject="Hi",
                           body="Hello", now=now)  # fmt: skip
    elif kind == "reply":
        messaging.reply(session, phone, "Thanks!", actor=ACTOR, now=now)
    else:
        later = now + timedelta(days=1) if kind == "schedule" else None
        messaging.create_outbound(session, actor=ACTOR, now=now, phone_number=phone,
                                  content="Hello", scheduled_for=later,
                                  suggested=kind == "draft")  # fmt: skip


def _change(session: Session, rng: random.Random) -> None:
    """A person's or the gateway's change to an existing message."""
    message = rng.choice(session.scalars(select(Message)).all())
    now = message.created_at + timedelta(minutes=5)
    choice = rng.choice(["status", "bulk", "delete", "gateway", "edit"])
    if choice == "gateway":
        claimed = outbound.claim_next(session, gateway_id="g1", now=now + timedelta(days=2),
                                      lease=timedelta(minutes=2), window_open=True)  # fmt: skip
        if claimed is not None:
            outbound.finish_sent(session, claimed, now)
        return
    try:
        if choice == "status":
            allowed = sorted(st.MANUAL_TRANSITIONS.get(message.status, ()))
            if allowed:
                messaging.set_status(session, message, rng.choice(allowed), actor=ACTOR, now=now)
        elif choice == "edit":
            messaging.edit_content(session, message, "Reworded", actor=ACTOR, now=now)
        elif choice == "delete":
            messaging.delete_message(session, message, actor=ACTOR, now=now)
        else:
            messaging.bulk_action(session, [message.id], rng.choice(messaging.BULK_ACTIONS),
                                  actor=ACTOR, now=now)  # fmt: skip
    except InvalidInput:
        session.rollback()


@pytest.mark.parametrize("seed", [1, 2])
def test_every_way_of_writing_messages_keeps_the_rollup_exact(session: Session, seed: int) -> None:
    rng = random.Random(seed)
    make_customer(session, phone=NUMBERS[0], email="rae@example.com")
    session.commit()
    for step in range(60):
        action = rng.choice(["receive", "send", "change"] if step else ["receive"])
        if action == "receive":
            _receive(session, rng, step)
        elif action == "send":
            _send(session, rng)
        else:
            _change(session, rng)
        session.commit()
        assert messages_kept(session) == messages_from_table(session), f"step {step}: {action}"
    directions = {direction for _, direction in messages_kept(session)}
    assert directions == {st.INBOUND, st.OUTBOUND}
    assert rollups.problems(session) == []


def test_a_duplicate_text_is_counted_once(session: Session) -> None:
    for _ in range(3):
        messaging.store_inbound(session, sender=NUMBERS[0], content="hi", dedup_key="same",
                                received_at=START)  # fmt: skip
    session.commit()
    assert messages_kept(session) == {(quarter_hour(START), st.INBOUND): 1}


def test_deleting_an_outbound_text_takes_it_out_of_its_day(session: Session) -> None:
    kept = messaging.queue_outbound(session, phone_number=NUMBERS[0], content="a", now=START)
    gone = messaging.queue_outbound(session, phone_number=NUMBERS[1], content="b", now=START)
    outbound.finish_sent(session, kept, START)
    session.commit()
    assert messages_kept(session) == {(quarter_hour(START), st.OUTBOUND): 2}
    messaging.delete_message(session, gone, actor=ACTOR, now=START)
    session.commit()
    assert messages_kept(session) == {(quarter_hour(START), st.OUTBOUND): 1}
