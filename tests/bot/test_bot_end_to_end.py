"""The whole path: a text arrives at the virtual modem -> gateway -> bot -> the modem sends
the reply. Real pty, real driver, real database, offline responder."""

from __future__ import annotations

import asyncio
import threading

from botkit import OPTIONS, REGULAR, regular_customer, stock_the_shop
from sqlalchemy.orm import Session, sessionmaker

from conductor.bot.offline import OfflineResponder
from conductor.bot.worker import BotWorker
from conductor.messaging import consent
from conductor.modem.virtual import VirtualModem
from harness import running_gateway, wait_for


def test_a_text_is_answered_through_the_modem_and_stop_is_honoured(
    sessions: sessionmaker[Session], virtual_modem: VirtualModem
) -> None:
    with sessions.begin() as s:
        stock_the_shop(s)
        regular_customer(s)
    worker = BotWorker(sessions, OPTIONS, OfflineResponder(), idle=0.02)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()

    def texts() -> list[str]:
        return [m.text for m in virtual_modem.sent()]

    async def scenario() -> None:
        async with running_gateway(sessions, virtual_modem):
            virtual_modem.inject_sms(REGULAR, "how many points do I have?")
            await wait_for(lambda: len(texts()) == 1, within=10)
            virtual_modem.inject_sms(REGULAR, "STOP")
            await wait_for(lambda: len(texts()) == 2, within=10)
            virtual_modem.inject_sms(REGULAR, "do you have blue dream?")
            await wait_for(lambda: worker.counts["opted_out"] == 1, within=10)
            await asyncio.sleep(0.5)

    try:
        asyncio.run(scenario())
    finally:
        stop.set()
        thread.join(10)
    first, second = texts()
    assert "420 points" in first and "unsubscribed" in second
    assert [m.number for m in virtual_modem.sent()] == [REGULAR, REGULAR]
    with sessions() as s:
        assert consent.is_opted_out(s, REGULAR)
