"""The real driver (Modem, Sim7600) over a real pty against the virtual SIM7600.

Each test runs its scenario with ``asyncio.run``; the virtual modem runs in its own thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conductor.modem import pdu
from conductor.modem.errors import CommandError, ModemGone, ModemTimeout
from conductor.modem.modem import Modem, Timeouts
from conductor.modem.sim7600 import Sim7600
from conductor.modem.urc import (
    ModemReady,
    NewMessage,
    PhonebookReady,
    SimStatus,
    SmsReady,
    StatusReport,
    Urc,
)
from conductor.modem.virtual import VirtualModem

FAST = Timeouts(default=2.0, send=3.0, list=3.0, init=2.0)
THREE_PARTS = "Your order is ready for pickup at the Main St store. " * 6
Scenario = Callable[[VirtualModem, Sim7600], Awaitable[None]]


@pytest.fixture
def virtual() -> Iterator[VirtualModem]:
    with VirtualModem(status_report_delay=0.05, boot_delay=0.05) as modem:
        yield modem


def run(virtual: VirtualModem, scenario: Scenario, timeouts: Timeouts = FAST) -> None:
    async def main() -> None:
        async with await Modem.open(virtual.port, timeouts=timeouts) as modem:
            sim = Sim7600(modem)
            await sim.initialise()
            await scenario(virtual, sim)

    asyncio.run(main())


async def next_urc(sim: Sim7600, seconds: float = 2.0) -> Urc:
    async with asyncio.timeout(seconds):
        return await sim.modem.next_urc()


async def no_urc(sim: Sim7600, seconds: float = 0.2) -> None:
    await asyncio.sleep(seconds)
    assert sim.modem.urcs.empty(), sim.modem.urcs.get_nowait()


def test_initialise_puts_the_modem_in_pdu_mode_with_notifications(
    virtual: VirtualModem,
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        assert await sim.modem.command("AT+CMGF?") == ["+CMGF: 0"]
        assert await sim.modem.command("AT+CNMI?") == ["+CNMI: 2,1,0,1,0"]
        assert await sim.modem.command("AT+CMEE?") == ["+CMEE: 1"]
        assert (await sim.storage()).total == 30

    run(virtual, scenario)


def test_probe_reads_identity_signal_registration_and_operator(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        identity = await sim.identity()
        assert identity.model == "SIMCOM_SIM7600G-H"
        assert identity.imei == "862636050000017"
        assert identity.iccid == "8901260000000000017"
        assert (await sim.signal()).dbm == -73
        assert (await sim.registration()).registered
        assert (await sim.operator()).name == "T-Mobile"

    run(virtual, scenario)


def test_inbound_messages_are_announced_listed_read_and_deleted(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        assert virtual.inject_sms("+15551230001", "hello") == [0]
        assert await next_urc(sim) == NewMessage("SM", 0)
        assert virtual.inject_sms("+15551230002", THREE_PARTS) == [1, 2, 3]
        assert [await next_urc(sim) for _ in range(3)] == [NewMessage("SM", i) for i in (1, 2, 3)]

        listed = await sim.list_messages()
        assert [message.index for message in listed] == [0, 1, 2, 3]
        decoded = [pdu.decode(message.pdu) for message in listed]
        assert decoded[0].text == "hello" and decoded[0].number == "+15551230001"
        parts = sorted(decoded[1:], key=lambda sms: sms.udh.sequence if sms.udh else 0)
        assert "".join(sms.text for sms in parts) == THREE_PARTS
        assert {sms.udh.parts for sms in parts if sms.udh} == {3}

        read = await sim.read_message(2)
        assert read is not None and read.pdu == listed[2].pdu and read.stat == 1
        await sim.delete_message(2)
        assert virtual.stored() == [0, 1, 3]
        assert await sim.read_message(2) is None
        assert (await sim.storage()).used == 3

    run(virtual, scenario)


def test_each_injected_long_message_gets_its_own_concatenation_reference(
    virtual: VirtualModem,
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.inject_sms("+15551230002", THREE_PARTS)
        virtual.inject_sms("+15551230002", THREE_PARTS)
        references = {
            (sms.udh.reference, sms.udh.sequence)
            for sms in (pdu.decode(message.pdu) for message in await sim.list_messages())
            if sms.udh
        }
        assert len(references) == 6

    run(virtual, scenario)


def test_a_cmti_during_a_pending_send_reaches_the_queue_and_the_send_completes(
    virtual: VirtualModem,
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.set_latency(0.5)
        (submit,) = pdu.encode_submit("+15557654321", "on my way")
        send = asyncio.create_task(sim.send(submit))
        await asyncio.sleep(0.1)
        assert not send.done()
        assert virtual.inject_sms("+15551230001", "are you open?") == [0]
        assert await next_urc(sim) == NewMessage("SM", 0)
        assert not send.done()
        assert await send == 0
        assert virtual.sent_pdus() == [submit]

    run(virtual, scenario)


def test_a_send_with_a_status_report_request_gets_a_cds(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        (submit,) = pdu.encode_submit("+15557654321", "receipt", status_report=True)
        await sim.send(pdu.encode_submit("+15557654321", "no report")[0])
        mr = await sim.send(submit)
        assert mr == 1
        urc = await next_urc(sim)
        assert isinstance(urc, StatusReport)
        report = pdu.decode(urc.pdu)
        assert report.type == "status_report"
        assert (report.reference, report.number, report.delivered) == (1, "+15557654321", True)
        assert urc.length == pdu.submit_length(urc.pdu)
        await no_urc(sim)  # the message without a request got no report

    run(virtual, scenario)


@pytest.mark.parametrize(("code", "permanent"), [(332, False), (42, False), (21, True), (28, True)])
def test_send_failures_raise_command_errors_telling_permanent_from_transient(
    virtual: VirtualModem, code: int, permanent: bool
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        (submit,) = pdu.encode_submit("+15557654321", "hi")
        virtual.fail_next_sends(1, code)
        with pytest.raises(CommandError) as failure:
            await sim.send(submit)
        assert (failure.value.cms_code, failure.value.permanent) == (code, permanent)
        assert virtual.sent() == []
        assert await sim.send(submit) == 0  # the next one goes through
        assert len(virtual.sent()) == 1

    run(virtual, scenario)


def test_a_pdu_of_the_wrong_length_is_refused_permanently(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        (submit,) = pdu.encode_submit("+15557654321", "hi")
        with pytest.raises(CommandError) as failure:
            await sim.modem.send_pdu(submit, pdu.submit_length(submit) + 1)
        assert (failure.value.cms_code, failure.value.permanent) == (304, True)

    run(virtual, scenario)


def test_a_full_storage_holds_messages_in_the_network_until_a_slot_frees(
    virtual: VirtualModem,
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.set_capacity(2)
        assert virtual.inject_sms("+15551230001", "one") == [0]
        assert virtual.inject_sms("+15551230002", "two") == [1]
        assert virtual.inject_sms("+15551230003", "three") == []
        assert (virtual.storage_full(), virtual.waiting()) == (True, 1)
        assert [await next_urc(sim) for _ in range(2)] == [NewMessage("SM", 0), NewMessage("SM", 1)]
        usage = await sim.storage()
        assert (usage.used, usage.total, usage.free) == (2, 2, 0)

        (stored,) = pdu.encode_deliver(
            "+15551230004", "four", timestamp=datetime.now(UTC).replace(microsecond=0)
        )
        with pytest.raises(CommandError) as failure:
            await sim.modem.pdu_command(f"AT+CMGW={pdu.submit_length(stored)},1", stored)
        assert (failure.value.cms_code, failure.value.permanent) == (322, False)

        await sim.delete_message(0)
        assert await next_urc(sim) == NewMessage("SM", 0)
        assert virtual.waiting() == 0
        message = await sim.read_message(0)
        assert message is not None and pdu.decode(message.pdu).text == "three"

    run(virtual, scenario)


def test_a_silent_modem_times_out_and_answers_again_afterwards(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.go_silent(0.5)
        with pytest.raises(ModemTimeout):
            await sim.signal()
        await asyncio.sleep(0.3)
        assert (await sim.signal()).rssi == 20

    run(virtual, scenario, Timeouts(default=0.3, send=1.0, list=1.0, init=1.0))


@pytest.mark.parametrize(("state", "permanent"), [("SIM PIN", True), ("NOT READY", False)])
def test_initialise_refuses_a_sim_that_is_not_ready(
    virtual: VirtualModem, state: str, permanent: bool
) -> None:
    async def main() -> None:
        async with await Modem.open(virtual.port, timeouts=FAST) as modem:
            with pytest.raises(CommandError) as failure:
                await Sim7600(modem).initialise()
            assert failure.value.permanent is permanent
            assert state in str(failure.value)

    virtual.set_sim_state(state)
    asyncio.run(main())


def test_concurrent_commands_take_turns(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.set_latency(0.05)
        signal, operator, storage = await asyncio.gather(
            sim.signal(), sim.operator(), sim.storage()
        )
        assert (signal.rssi, operator.name, storage.total) == (20, "T-Mobile", 30)

    run(virtual, scenario)


def test_a_prompt_that_comes_too_late_is_cancelled_and_the_modem_stays_usable(
    virtual: VirtualModem,
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.set_latency(0.5)
        with pytest.raises(ModemTimeout):
            await sim.send(pdu.encode_submit("+15557654321", "late")[0])
        virtual.set_latency(0)
        await asyncio.sleep(0.5)
        assert (await sim.signal()).rssi == 20
        assert virtual.sent() == []

    run(virtual, scenario, Timeouts(default=0.3, send=1.0, list=1.0, init=1.0))


def test_a_reboot_is_announced_and_initialise_restores_notifications(
    virtual: VirtualModem,
) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.reboot()
        boot = [await next_urc(sim) for _ in range(4)]
        assert boot == [ModemReady(), SimStatus("READY"), SmsReady(), PhonebookReady()]
        assert await sim.modem.command("AT+CNMI?") == ["+CNMI: 0,0,0,0,0"]
        assert virtual.inject_sms("+15551230001", "after reboot") == [0]
        await no_urc(sim)  # no +CMTI until initialised again
        await sim.initialise()
        assert virtual.inject_sms("+15551230001", "again") == [1]
        assert await next_urc(sim) == NewMessage("SM", 1)
        assert len(await sim.list_messages()) == 2  # the SIM kept its messages

    run(virtual, scenario)


def test_lost_notifications_leave_the_messages_for_a_sweep(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.suppress_cmti()
        assert virtual.inject_sms("+15551230001", "quiet") == [0]
        await no_urc(sim)
        (message,) = await sim.list_messages()
        assert pdu.decode(message.pdu).text == "quiet"

    run(virtual, scenario)


def test_emoji_text_round_trips_as_ucs2_parts(virtual: VirtualModem) -> None:
    text = "Thanks for visiting 🌿😀! " * 4
    submits = pdu.encode_submit("+15557654321", text, reference=9)

    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        assert len(submits) > 1
        mrs = [await sim.send(submit) for submit in submits]
        (sent,) = virtual.sent()
        assert (sent.number, sent.text) == ("+15557654321", text)
        assert sent.tp_mrs == tuple(mrs) == tuple(range(len(submits)))
        assert pdu.decode(sent.pdus[0]).encoding == "ucs2"

    run(virtual, scenario)


def test_a_malformed_pdu_in_storage_is_listed_as_it_is(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        assert virtual.inject_pdu("0791FFFF") == [0]
        (message,) = await sim.list_messages()
        assert message.pdu == "0791FFFF"

    run(virtual, scenario)


def test_the_port_going_away_raises_modem_gone(virtual: VirtualModem) -> None:
    async def scenario(virtual: VirtualModem, sim: Sim7600) -> None:
        virtual.stop()
        with pytest.raises(ModemGone):
            async with asyncio.timeout(2):
                await sim.modem.next_urc()
        with pytest.raises(ModemGone):
            await sim.signal()
        assert sim.modem.closed

    run(virtual, scenario)


def test_opening_a_missing_port_raises_modem_gone(tmp_path: Path) -> None:
    async def main() -> None:
        await Modem.open(str(tmp_path / "no-such-tty"))

    with pytest.raises(ModemGone):
        asyncio.run(main())
