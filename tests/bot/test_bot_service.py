"""The bot's handling of one text, on the real databases, with the offline responder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botkit import NOW, OPTIONS, REGULAR, STRANGER, inbound, regular_customer, stock_the_shop
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conductor.bot.offline import OfflineResponder
from conductor.bot.service import BotOptions, claim_inbound, handle
from conductor.errors import InvalidInput
from conductor.gateway import outbound
from conductor.messaging import consent, service
from conductor.messaging import status as st
from conductor.messaging.models import Message


def _answer(session: Session, text: str, phone: str = REGULAR, options: BotOptions = OPTIONS):  # type: ignore[no-untyped-def]
    message = inbound(session, text, phone)
    outcome = handle(session, message, options=options, responder=OfflineResponder(), now=NOW)
    reply = session.get(Message, outcome.reply_id) if outcome.reply_id else None
    return message, outcome, reply


@pytest.fixture
def shop(session: Session) -> Session:
    stock_the_shop(session)
    regular_customer(session)
    return session


def test_stop_opts_out_confirms_once_and_nothing_else_ever_reaches_the_number(
    shop: Session,
) -> None:
    earlier = service.queue_outbound(shop, phone_number=REGULAR, content="20% off!", now=NOW,
                                     bulk=True)  # fmt: skip
    message, outcome, reply = _answer(shop, "Stop")
    assert outcome.kind == "stop" and message.status == st.READ
    assert reply is not None and reply.compliance and "unsubscribed" in reply.content
    assert consent.is_opted_out(shop, REGULAR)
    assert [e.source for e in consent.history(shop, REGULAR)] == ["keyword STOP"]
    # a person, the API or a campaign: refused when written ...
    with pytest.raises(InvalidInput, match="opted out"):
        service.queue_outbound(shop, phone_number=REGULAR, content="we miss you", now=NOW)
    # ... and the bot stays silent
    _, later, none = _answer(shop, "do you have gummies?")
    assert later.kind == "opted_out" and none is None
    # the gateway sends the confirmation and cancels what was queued before
    lease = timedelta(minutes=1)
    sent = [outbound.claim_next(shop, gateway_id="g", now=NOW, lease=lease, window_open=True)
            for _ in range(2)]  # fmt: skip
    assert [m.id if m else None for m in sent] == [reply.id, None]
    assert earlier.status == st.CANCELLED


def test_start_opts_back_in_and_help_answers_with_the_help_text(shop: Session) -> None:
    _answer(shop, "STOP")
    _, outcome, reply = _answer(shop, "start")
    assert outcome.kind == "start" and reply is not None and "subscribed again" in reply.content
    assert not consent.is_opted_out(shop, REGULAR)
    _, helped, help_reply = _answer(shop, "HELP")
    assert help_reply is not None
    assert help_reply.content == OPTIONS.business.help_text
    assert "Reply STOP to opt out" in help_reply.content and helped.kind == "help"


def test_points_and_last_purchase_come_from_the_customers_own_data(shop: Session) -> None:
    _, _, points = _answer(shop, "how many points do I have?")
    assert points is not None and "420 points" in points.content and "Rae" in points.content
    assert points.responder == "bot-offline" and points.status == st.QUEUED
    _, _, last = _answer(shop, "what did I get last time")
    assert last is not None and "Sour Bites" in last.content and "Nov 10" in last.content


def test_stock_answers_from_current_stock_only(shop: Session) -> None:
    _, _, yes = _answer(shop, "do you have blue dream?")
    assert yes is not None and "MOTA Blue Dream 3.5g ($38.00)" in yes.content
    message, _, no = _answer(shop, "do you have the stiiizy pineapple express pod")
    assert no is not None and "Pineapple" not in no.content  # out of stock: never offered
    assert message.status == st.NEEDS_HUMAN


def test_recommendations_are_in_stock_and_like_their_favourites(shop: Session) -> None:
    _, _, rec = _answer(shop, "can you recommend something?")
    assert rec is not None
    assert "Kiva Camino Gummies ($22.00)" in rec.content and "edibles" in rec.content
    assert "Sour Bites" not in rec.content  # their own favourite is out of stock


def test_unknown_numbers_get_a_polite_reply_and_a_flag(shop: Session) -> None:
    message, _, reply = _answer(shop, "hey is this the dispensary?", phone=STRANGER)
    assert reply is not None and "MOTA Dispensary" in reply.content
    assert message.status == st.NEEDS_HUMAN


def test_anything_else_goes_to_a_person_with_a_holding_reply(shop: Session) -> None:
    message, _, reply = _answer(shop, "My order from yesterday was missing a pre-roll")
    assert reply is not None and "team member" in reply.content
    assert message.status == st.NEEDS_HUMAN


def test_draft_mode_saves_suggestions_but_compliance_still_goes_out(shop: Session) -> None:
    draft = BotOptions(OPTIONS.worker_id, OPTIONS.business, OPTIONS.zone, draft=True)
    _, _, suggestion = _answer(shop, "how many points?", options=draft)
    assert suggestion is not None and suggestion.status == st.SUGGESTED
    _, _, confirmation = _answer(shop, "STOP", options=draft)
    assert confirmation is not None and confirmation.status == st.QUEUED


def test_a_text_is_claimed_by_one_worker_only(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        inbound(s, "hello")
    with sessions() as a, sessions() as b:
        first = claim_inbound(a, worker_id="a", now=NOW, lease=timedelta(minutes=1))
        a.commit()
        second = claim_inbound(b, worker_id="b", now=NOW, lease=timedelta(minutes=1))
        b.commit()
        third = claim_inbound(b, worker_id="b", now=NOW + timedelta(minutes=2),
                              lease=timedelta(minutes=1))  # fmt: skip
    assert first is not None and second is None
    assert third is not None and third.id == first.id  # the first worker's lease ran out


def test_replies_thread_to_the_text_they_answer(shop: Session) -> None:
    message, _, reply = _answer(shop, "thanks!")
    assert reply is not None and reply.in_reply_to_id == message.id
    assert shop.scalars(select(Message).where(Message.direction == "outbound")).one() == reply
