"""The virtual SIM7600 as a byte machine: bytes in, bytes out, a clock passed in, no I/O.

``Device.receive`` takes what the host wrote, ``Device.poll`` runs what is due (a command
delayed by the configured latency, a status report, the URCs of a restart), and ``output``
holds what the modem says, for ``virtual.VirtualModem`` to write to its pseudo-terminal.

Behaviour copied from the real modem: echo of every byte until ATE0; the ``> `` prompt of
AT+CMGS / AT+CMGW, then hex until Ctrl-Z (send) or ESC (cancel); TP-MR counting up mod 256;
+CMTI for each stored message when AT+CNMI says so (<mt> 1; <mt> 2 routes it as +CMT
instead); +CDS (<ds> 1) or a stored report and +CDSI (<ds> 2) after a send that asked for a
status report; a network that holds messages while the storage is full and delivers them when
a slot frees; a restart that resets settings, keeps the SIM's storage, and says RDY.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from conductor.modem import pdu
from conductor.modem.errors import PduError
from conductor.modem.pdu import Sms
from conductor.modem.virtual_commands import (
    UNREAD,
    CommandSet,
    PduEntry,
    Reply,
    Settings,
    SimIdentity,
    Storage,
    cms,
    render,
    tpdu_length,
)

CR, LF, BACKSPACE, CTRL_Z, ESC = 0x0D, 0x0A, 0x08, 0x1A, 0x1B


@dataclass(frozen=True)
class SentPdu:
    """One SMS-SUBMIT the virtual network accepted, with the TP-MR the modem gave it."""

    pdu: str
    tp_mr: int
    sms: Sms


class Device:
    """One virtual SIM7600G-H. Not thread-safe: ``VirtualModem`` holds a lock around it."""

    def __init__(
        self,
        *,
        capacity: int = 30,
        status_report_delay: float = 0.5,
        boot_delay: float = 0.05,
        identity: SimIdentity | None = None,
    ) -> None:
        self.commands = CommandSet(Storage(capacity), identity or SimIdentity())
        self.status_report_delay = status_report_delay
        self.boot_delay = boot_delay
        self.latency = 0.0
        self.report_status = 0x00  # TP-ST of the status reports: received by the recipient
        self.suppress_cmti = False
        self.sent: list[SentPdu] = []
        self.network: deque[tuple[int, str]] = deque()  # (ticket, PDU) waiting for a free slot
        self.output = bytearray()
        self.fail_codes: deque[int] = deque()
        self._next_mr = 0
        self._next_ticket = 0
        self._now = 0.0
        self._input = bytearray()
        self._line = bytearray()
        self._entry: PduEntry | None = None
        self._pdu = bytearray()
        self._busy: tuple[float, Callable[[], None]] | None = None
        self._timers: list[tuple[float, Callable[[], None]]] = []
        self._silent_until = 0.0

    @property
    def storage(self) -> Storage:
        return self.commands.storage

    @property
    def settings(self) -> Settings:
        return self.commands.settings

    # --- the host's side --------------------------------------------------------------

    def receive(self, data: bytes, now: float) -> None:
        """Bytes the host wrote; ignored while the modem is silent or booting."""
        self._now = now
        if now < self._silent_until:
            return
        self._input += data
        self._pump()

    def poll(self, now: float) -> None:
        """Run the delayed command and the timers that are due by ``now``."""
        self._now = now
        if self._busy is not None and self._busy[0] <= now:
            action, self._busy = self._busy[1], None
            action()
            self._pump()
        due = [timer for timer in self._timers if timer[0] <= now]
        self._timers = [timer for timer in self._timers if timer[0] > now]
        for _, action in sorted(due, key=lambda timer: timer[0]):
            action()

    def next_deadline(self) -> float | None:
        deadlines = [due for due, _ in self._timers]
        if self._busy is not None:
            deadlines.append(self._busy[0])
        return min(deadlines, default=None)

    # --- the network's and the operator's side ---------------------------------------

    def deliver(self, pdus: list[str], now: float) -> list[int]:
        """Inbound PDUs from the network; the indexes of those stored now, in order."""
        self._now = now
        tickets = set()
        for message in pdus:
            tickets.add(self._next_ticket)
            self.network.append((self._next_ticket, message))
            self._next_ticket += 1
        return [index for ticket, index in self._deliver_waiting() if ticket in tickets]

    def go_silent(self, seconds: float, now: float) -> None:
        self._silent_until = max(self._silent_until, now + seconds)

    def reboot(self, now: float) -> None:
        """Settings back to defaults, input and pending reports lost, storage kept; RDY and
        friends once booted. Nothing is answered while booting."""
        self._now = now
        self.commands.settings = Settings()
        self._input.clear()
        self._line.clear()
        self._entry, self._busy, self._timers = None, None, []
        self._silent_until = now + self.boot_delay
        boot = ("RDY", f"+CPIN: {self.commands.sim_state}", "SMS DONE", "PB DONE")
        for urc in boot:
            self._timers.append((self._silent_until, partial(self._emit_line, urc)))

    # --- bytes -------------------------------------------------------------------------

    def _emit(self, text: str) -> None:
        if self._now >= self._silent_until:
            self.output += text.encode("ascii")

    def _emit_line(self, line: str) -> None:
        self._emit(f"\r\n{line}\r\n")

    def _pump(self) -> None:
        while self._input and self._busy is None:
            byte = self._input.pop(0)
            if self._entry is not None:
                self._pdu_byte(byte)
            else:
                self._command_byte(byte)

    def _command_byte(self, byte: int) -> None:
        if byte == ESC:
            return  # like the real modem: ESC means nothing outside a PDU entry
        if self.settings.echo:
            self._emit(chr(byte))
        if byte == CR:
            line = self._line.decode("ascii", "replace")
            self._line.clear()
            if line.strip():
                self._after_latency(lambda: self._run(line))
        elif byte == BACKSPACE:
            del self._line[-1:]
        elif byte != LF:
            self._line.append(byte)

    def _pdu_byte(self, byte: int) -> None:
        if byte == CTRL_Z:
            entry, text = self._entry, self._pdu.decode("ascii", "replace")
            self._entry = None
            self._pdu.clear()
            assert entry is not None
            self._after_latency(lambda: self._finish_entry(entry, text))
        elif byte == ESC:
            self._entry = None
            self._pdu.clear()
            self._emit(render(Reply()))
        elif byte not in (CR, LF):
            if self.settings.echo:
                self._emit(chr(byte))
            self._pdu.append(byte)

    def _after_latency(self, action: Callable[[], None]) -> None:
        if self.latency > 0:
            self._busy = (self._now + self.latency, action)
        else:
            action()

    # --- commands ----------------------------------------------------------------------

    def _run(self, line: str) -> None:
        reply = self.commands.execute(line)
        if reply.entry is not None:
            self._entry = reply.entry
            self._emit("\r\n> ")
            return
        self._emit(render(reply))
        if reply.reboot:
            self.reboot(self._now)
        self._deliver_waiting()

    def _finish_entry(self, entry: PduEntry, pdu_hex: str) -> None:
        self._emit(render(self._entry_reply(entry, pdu_hex)))
        self._deliver_waiting()

    def _entry_reply(self, entry: PduEntry, pdu_hex: str) -> Reply:
        try:
            sms = pdu.decode(pdu_hex)
            length = pdu.submit_length(pdu_hex)
        except PduError:
            return cms(304)
        if length != entry.length:
            return cms(304)
        if entry.command == "CMGW":
            index = self.storage.store(pdu_hex.upper(), entry.stat)
            return cms(322) if index is None else Reply((f"+CMGW: {index}",))
        if sms.type != "submit":
            return cms(304)
        if self.fail_codes:
            return cms(self.fail_codes.popleft())
        return self._accept(pdu_hex.upper(), sms)

    def _accept(self, pdu_hex: str, sms: Sms) -> Reply:
        tp_mr, self._next_mr = self._next_mr, (self._next_mr + 1) % 256
        self.sent.append(SentPdu(pdu_hex, tp_mr, sms))
        if sms.status_report_requested and self.settings.cnmi[3] in (1, 2):
            due = self._now + self.status_report_delay
            self._timers.append((due, lambda: self._report(sms.number, tp_mr)))
        return Reply((f"+CMGS: {tp_mr}",))

    def _report(self, recipient: str, tp_mr: int) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        report = pdu.encode_status_report(
            recipient, tp_mr, self.report_status, timestamp=now, discharge_time=now
        )
        if self.settings.cnmi[3] == 1:
            self._emit(f"\r\n+CDS: {tpdu_length(report)}\r\n{report}\r\n")
            return
        index = self.storage.store(report, UNREAD)
        if index is not None:
            self._emit_line(f'+CDSI: "SM",{index}')

    # --- inbound messages -------------------------------------------------------------

    def _deliver_waiting(self) -> list[tuple[int, int]]:
        """Move waiting messages into free slots (or straight to the host with <mt> 2);
        returns (ticket, index) of those stored."""
        stored: list[tuple[int, int]] = []
        mt = self.settings.cnmi[1]
        while self.network and (mt == 2 or not self.storage.full):
            ticket, message = self.network.popleft()
            if mt == 2:
                self._emit(f"\r\n+CMT: ,{tpdu_length(message)}\r\n{message}\r\n")
                continue
            index = self.storage.store(message, UNREAD)
            assert index is not None
            stored.append((ticket, index))
            if mt in (1, 3) and not self.suppress_cmti:
                self._emit_line(f'+CMTI: "SM",{index}')
        return stored
