"""A gateway that died half-way through AT+CMGS leaves the modem waiting for PDU digits;
the next one must still get the modem's attention."""

from __future__ import annotations

import asyncio

import serial

from conductor.modem.modem import Modem, Timeouts
from conductor.modem.sim7600 import Sim7600
from conductor.modem.virtual import VirtualModem


def test_a_new_host_initialises_a_modem_left_in_pdu_entry(virtual_modem: VirtualModem) -> None:
    async def scenario() -> None:
        first = await Modem.open(virtual_modem.port, timeouts=Timeouts(init=1, default=1))
        await Sim7600(first).initialise()
        await first.close()
        with serial.Serial(virtual_modem.port) as raw:  # a host that dies mid-entry
            raw.write(b"AT+CMGS=20\r0001000B81")
            await asyncio.sleep(0.2)
        second = Sim7600(await Modem.open(virtual_modem.port, timeouts=Timeouts(init=1)))
        await second.initialise(attempts=1)
        assert (await second.storage()).total == 30
        await second.modem.close()

    asyncio.run(scenario())
    assert virtual_modem.sent() == []
