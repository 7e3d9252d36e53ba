"""Multipart timeouts, two gateways on one queue, and the gateway's commands."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conductor.gateway.inbound import MISSING_PART
from conductor.messaging import service
from conductor.messaging import status as st
from conductor.messaging.models import Message
from conductor.modem import pdu
from conductor.modem.virtual import VirtualModem
from conftest import CliRun
from harness import now, running_gateway, wait_for

Sessions = sessionmaker[Session]


def test_a_multipart_message_missing_a_part_is_released_flagged_after_the_timeout(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    parts = pdu.encode_deliver("+13105550123", "word " * 70, timestamp=now(), reference=9)
    assert len(parts) == 3

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem,
                                   multipart_timeout=timedelta(seconds=0.5)):  # fmt: skip
            for part in (parts[0], parts[2]):  # the middle part never comes
                virtual_modem.inject_pdu(part)
            await wait_for(lambda: _inbound(sessions) != [], within=8)

    asyncio.run(scenario())
    [got] = _inbound(sessions)
    assert got.incomplete and got.part_count == 3
    assert got.content.count(MISSING_PART) == 1
    assert got.content.startswith("word word") and got.content.endswith("word ")


def _inbound(sessions: Sessions) -> list[Message]:
    with sessions() as s:
        return list(s.scalars(select(Message).where(Message.direction == st.INBOUND)))


def test_two_gateways_share_one_queue_and_send_each_message_once(sessions: Sessions) -> None:
    with sessions.begin() as s:
        for i in range(40):
            service.queue_outbound(s, phone_number="+13105550123", content=f"m{i}", now=now())

    async def scenario(a: VirtualModem, b: VirtualModem) -> None:
        async with (
            running_gateway(sessions, a, gateway_id="gw-a"),
            running_gateway(sessions, b, gateway_id="gw-b"),
        ):
            await wait_for(lambda: len(a.sent()) + len(b.sent()) == 40, within=20)

    with VirtualModem() as a, VirtualModem() as b:
        a.set_latency(0.01)
        b.set_latency(0.01)
        asyncio.run(scenario(a, b))
        texts = [m.text for m in a.sent() + b.sent()]
    assert sorted(texts) == sorted(f"m{i}" for i in range(40))
    assert a.sent() and b.sent(), "both gateways took work"


def test_send_wait_status_and_probe_through_the_cli(
    cli: CliRun, sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    result = cli("modem", "probe", "--modem", "virtual")
    assert "SIM7600G-H" in result.output and "T-Mobile" in result.output
    queued = cli("send", "(310) 555-0123", "see you at 5 😀")
    assert "queued message 1" in queued.output
    with sessions() as s:
        message = service.get_message(s, 1)
        assert (message.phone_number, message.status) == ("+13105550123", st.QUEUED)

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            await wait_for(lambda: len(virtual_modem.sent()) == 1)
            await asyncio.sleep(0.6)  # one heartbeat

    asyncio.run(scenario())
    status = cli("status").output
    assert "outbound" in status and "test-gw" in status and "T-Mobile" in status
    waited = cli("send", "3105550123", "again", "--wait", "--timeout", "0.5", expect_exit=2)
    assert "still queued" in waited.output
    bad = cli("send", "not a number", "x", expect_exit=1)
    assert "not a phone number" in str(bad.exception)
    assert json.dumps(virtual_modem.sent()[0].text) == json.dumps("see you at 5 😀")


def test_the_daily_send_limit_holds_the_queue(
    sessions: Sessions, virtual_modem: VirtualModem
) -> None:
    with sessions.begin() as s:
        for i in range(3):
            service.queue_outbound(s, phone_number="+13105550123", content=f"d{i}", now=now())

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem, daily_limit=2) as gateway:
            await wait_for(lambda: len(virtual_modem.sent()) == 2)
            await wait_for(lambda: gateway.counts["daily_limit"] > 3)

    asyncio.run(scenario())
    assert [m.text for m in virtual_modem.sent()] == ["d0", "d1"]
    with sessions() as s:
        assert service.status_counts(s)[(st.OUTBOUND, st.QUEUED)] == 1
