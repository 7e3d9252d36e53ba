"""The SIMCom SIM7600G-H's SMS commands, over a ``Modem``.

``initialise()`` puts the modem in the state the gateway relies on:

    ESC             ends a PDU entry a host that died mid-AT+CMGS left open (else the
                    modem would take our commands as PDU digits and never answer)
    AT              until it answers (it may still be booting after a restart)
    ATE0            no echo
    AT+CMEE=1       numeric +CME ERROR codes
    AT+CPIN?        the SIM must say READY (a PIN-locked SIM is a permanent CommandError)
    AT+CMGF=0       PDU mode
    AT+CPMS="SM","SM","SM"   read, write and receive in the SIM's storage. "ME" (the modem's
                    own memory) would also work; "SM" keeps messages with the SIM card and is
                    what the SIM7600 uses by default. Indexes start at 0.
    AT+CNMI=2,1,0,1,0        +CMTI: "SM",<index> for each stored message; status reports
                    straight to us as +CDS: <length> + PDU, not stored.

AT+CSCS is not needed in PDU mode. The settings are lost when the modem restarts (URC
``ModemReady``): call ``initialise()`` again then.

Written by hand: no maintained library drives the SIM7600's SMS commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from conductor.modem import at
from conductor.modem.at import MemoryUse, Operator, Registration, Signal, StoredMessage
from conductor.modem.errors import CommandError, ModemTimeout
from conductor.modem.modem import Modem
from conductor.modem.pdu import submit_length

SETUP_COMMANDS = ("ATE0", "AT+CMEE=1")
SMS_COMMANDS = ("AT+CMGF=0", 'AT+CPMS="SM","SM","SM"', "AT+CNMI=2,1,0,1,0")
_LOCKED_SIM_STATES = frozenset({"SIM PIN", "SIM PUK", "PH-SIM PIN", "SIM PIN2", "SIM PUK2"})
ALL_MESSAGES = 4  # <stat> of AT+CMGL in PDU mode


@dataclass(frozen=True)
class Identity:
    """What ``conductor modem probe`` shows; ``imsi`` and ``iccid`` are None without a SIM."""

    manufacturer: str
    model: str
    revision: str
    imei: str
    imsi: str | None
    iccid: str | None


class Sim7600:
    """SMS on a SIM7600G-H: storage, sending and status, in PDU mode."""

    def __init__(self, modem: Modem) -> None:
        self.modem = modem

    async def initialise(self, *, attempts: int = 3) -> None:
        """Run the init sequence above; the first ``AT`` is tried ``attempts`` times."""
        await self.modem.cancel_input()
        await self._wake(attempts)
        for command in SETUP_COMMANDS:
            await self.modem.command(command, timeout_name="init")
        await self.check_sim()
        for command in SMS_COMMANDS:
            await self.modem.command(command, timeout_name="init")

    async def _wake(self, attempts: int) -> None:
        for attempt in range(attempts):
            try:
                await self.modem.command("AT", timeout_name="init")
                return
            except ModemTimeout:
                if attempt == attempts - 1:
                    raise

    async def check_sim(self) -> None:
        """AT+CPIN? must answer READY; a SIM waiting for a PIN or PUK is permanent."""
        lines = await self.modem.command("AT+CPIN?", timeout_name="init")
        state = at.value_after_prefix(lines)
        if state != "READY":
            permanent = state in _LOCKED_SIM_STATES
            raise CommandError(f"SIM not ready: {state}", command="AT+CPIN?", permanent=permanent)

    async def list_messages(self) -> list[StoredMessage]:
        """Every stored message (``AT+CMGL=4``); the modem marks the unread ones read."""
        lines = await self.modem.command(f"AT+CMGL={ALL_MESSAGES}", timeout_name="list")
        return at.parse_cmgl(lines)

    async def read_message(self, index: int) -> StoredMessage | None:
        """The message at ``index`` (``AT+CMGR``); None when that slot is empty."""
        return at.parse_cmgr(index, await self.modem.command(f"AT+CMGR={index}"))

    async def delete_message(self, index: int) -> None:
        await self.modem.command(f"AT+CMGD={index}")

    async def send(self, pdu_hex: str) -> int:
        """Send one SMS-SUBMIT PDU (with its SMSC octet); returns the TP-MR."""
        return await self.modem.send_pdu(pdu_hex, submit_length(pdu_hex))

    async def signal(self) -> Signal:
        return at.parse_csq(await self.modem.command("AT+CSQ"))

    async def registration(self) -> Registration:
        return at.parse_creg(await self.modem.command("AT+CREG?"))

    async def operator(self) -> Operator:
        return at.parse_cops(await self.modem.command("AT+COPS?"))

    async def storage(self) -> MemoryUse:
        """Used and total slots of the memory messages are read from (``AT+CPMS?``)."""
        return at.parse_cpms(await self.modem.command("AT+CPMS?"))[0]

    async def identity(self) -> Identity:
        return Identity(
            manufacturer=await self._value("AT+CGMI"),
            model=await self._value("AT+CGMM"),
            revision=await self._value("AT+CGMR"),
            imei=await self._value("AT+CGSN"),
            imsi=await self._sim_value("AT+CIMI"),
            iccid=await self._sim_value("AT+CICCID"),
        )

    async def _value(self, command: str) -> str:
        return at.value_after_prefix(await self.modem.command(command))

    async def _sim_value(self, command: str) -> str | None:
        try:
            return await self._value(command)
        except CommandError:
            return None  # no SIM, or a SIM that is not ready: nothing to show
