"""The real gateway, the real driver, a real pty, the virtual SIM7600, a real database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from conductor.messaging import service
from conductor.messaging import status as st
from conductor.messaging.models import Message
from conductor.modem import pdu
from conductor.modem.virtual import VirtualModem
from harness import now, running_gateway, wait_for

Sessions = sessionmaker[Session]


def run(coro: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(coro())


def inbound(sessions: Sessions) -> list[Message]:
    with sessions() as s:
        return list(s.scalars(select(Message).where(Message.direction == "inbound")
                              .order_by(Message.id)))  # fmt: skip


def queue(sessions: Sessions, text: str, number: str = "+13105550123") -> int:
    with sessions.begin() as s:
        return service.queue_outbound(s, phone_number=number, content=text, now=now()).id


def message(sessions: Sessions, message_id: int) -> Message:
    with sessions() as s:
        return s.get_one(Message, message_id)


def test_an_inbound_text_is_stored_then_deleted_from_the_modem(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            virtual_modem.inject_sms("+13105550123", "Do you have MOTA gummies?")
            await wait_for(lambda: len(inbound(sessions)) == 1)
            await wait_for(lambda: virtual_modem.stored() == [])

    run(scenario)
    [got] = inbound(sessions)
    assert (got.phone_number, got.content, got.status) == (
        "+13105550123", "Do you have MOTA gummies?", st.UNREAD,
    )  # fmt: skip
    assert got.sender_timestamp is not None and got.raw_pdu


def test_a_three_part_message_lands_as_one(sessions: Sessions, virtual_modem: VirtualModem) -> None:
    text = "Hi! " + "This is a long message about my order. " * 10
    assert len(pdu.encode_deliver("+14155550100", text, timestamp=now())) == 3

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            virtual_modem.inject_sms("+14155550100", text)
            await wait_for(lambda: len(inbound(sessions)) == 1)

    run(scenario)
    [got] = inbound(sessions)
    assert got.content == text and got.part_count == 3 and not got.incomplete


def test_emoji_survive_both_ways(sessions: Sessions, virtual_modem: VirtualModem) -> None:
    text_in = "Thanks!! 🙏🔥 see you Friday 😀"
    text_out = "You're welcome 😊 " * 6  # UCS-2, more than one part

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            virtual_modem.inject_sms("+13105550123", text_in)
            out = queue(sessions, text_out)
            await wait_for(lambda: len(inbound(sessions)) == 1)
            await wait_for(lambda: message(sessions, out).status in (st.SENT, st.DELIVERED))

    run(scenario)
    assert inbound(sessions)[0].content == text_in
    [sent] = virtual_modem.sent()
    assert sent.text == text_out and len(sent.pdus) == 2


def test_a_full_storage_is_emptied_and_nothing_is_lost(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    virtual_modem.set_capacity(2)
    for i in range(5):
        virtual_modem.inject_sms("+13105550123", f"queued while we were away {i}")
    assert virtual_modem.storage_full() and virtual_modem.waiting() == 3

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            await wait_for(lambda: len(inbound(sessions)) == 5, within=10)

    run(scenario)
    assert sorted(m.content for m in inbound(sessions)) == [
        f"queued while we were away {i}" for i in range(5)
    ]


def test_a_notification_arriving_during_a_send_is_not_lost(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem, sweep_interval=60):
            virtual_modem.set_latency(0.3)
            out = queue(sessions, "Your order is ready")
            await asyncio.sleep(0.15)  # AT+CMGS is in flight now
            virtual_modem.inject_sms("+14155550100", "am I next?")
            await wait_for(lambda: message(sessions, out).status in (st.SENT, st.DELIVERED))
            await wait_for(lambda: len(inbound(sessions)) == 1)

    run(scenario)
    assert inbound(sessions)[0].content == "am I next?"
    assert [m.text for m in virtual_modem.sent()] == ["Your order is ready"]


def test_lost_notifications_are_caught_by_the_sweep(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem, sweep_interval=0.3):
            virtual_modem.suppress_cmti(True)
            virtual_modem.inject_sms("+13105550123", "silent arrival")
            await wait_for(lambda: len(inbound(sessions)) == 1)

    run(scenario)


def test_after_a_modem_reboot_the_gateway_initialises_it_again(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem, sweep_interval=60) as gateway:
            virtual_modem.reboot()
            await asyncio.sleep(0.5)
            virtual_modem.inject_sms("+13105550123", "after the reboot")
            await wait_for(lambda: len(inbound(sessions)) == 1)
            out = queue(sessions, "still sending")
            await wait_for(lambda: message(sessions, out).status in (st.SENT, st.DELIVERED))
            assert gateway.counts["message"] == 1

    run(scenario)


def test_a_permanent_send_error_fails_with_the_reason(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    virtual_modem.fail_next_sends(1, 21)  # short message transfer rejected

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            out = queue(sessions, "will be refused")
            await wait_for(lambda: message(sessions, out).status == st.FAILED)

    run(scenario)
    with sessions() as s:
        failed = s.scalars(select(Message).where(Message.status == st.FAILED)).one()
    assert "21" in (failed.error_message or "") and failed.retry_count == 1
    assert virtual_modem.sent() == []


def test_a_transient_send_error_is_retried_and_sent_once(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    virtual_modem.fail_next_sends(2, 332)  # network timeout

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            out = queue(sessions, "third time lucky")
            await wait_for(lambda: message(sessions, out).status in (st.SENT, st.DELIVERED))

    run(scenario)
    with sessions() as s:
        sent = s.scalars(select(Message).where(Message.direction == "outbound")).one()
    assert sent.retry_count == 2
    assert [m.text for m in virtual_modem.sent()] == ["third time lucky"]


def test_delivery_reports_mark_messages_delivered(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            out = queue(sessions, "report back please")
            await wait_for(lambda: message(sessions, out).status == st.DELIVERED)

    run(scenario)
    assert virtual_modem.sent()[0].status_report


def test_a_malformed_pdu_is_stored_raw_and_flagged_and_the_gateway_goes_on(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            virtual_modem.inject_pdu("0791448720003023240DD0")  # truncated SMS-DELIVER
            virtual_modem.inject_sms("+13105550123", "a good one")
            await wait_for(lambda: len(inbound(sessions)) == 2)
            await wait_for(lambda: virtual_modem.stored() == [])

    run(scenario)
    bad, good = sorted(inbound(sessions), key=lambda m: m.malformed, reverse=True)
    assert bad.malformed and bad.raw_pdu == "0791448720003023240DD0"
    assert bad.status == st.NEEDS_HUMAN and "bad PDU" in (bad.error_message or "")
    assert good.content == "a good one" and not good.malformed


def test_the_same_pdu_twice_lands_once(sessions: Sessions, virtual_modem: VirtualModem) -> None:
    [twice] = pdu.encode_deliver(
        "+13105550123", "only once", timestamp=now().replace(microsecond=0)
    )

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem) as gateway:
            virtual_modem.inject_pdu(twice)
            await wait_for(lambda: len(inbound(sessions)) == 1)
            virtual_modem.inject_pdu(twice)
            await wait_for(lambda: gateway.counts["duplicate"] == 1)
            await wait_for(lambda: virtual_modem.stored() == [])

    run(scenario)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1
