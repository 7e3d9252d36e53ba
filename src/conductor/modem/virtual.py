"""A virtual SIM7600G-H on a real pseudo-terminal, for tests, demos and ``--modem virtual``.

    with VirtualModem() as virtual:              # start() returns the port, e.g. /dev/pts/7
        modem = await Modem.open(virtual.port)   # or point Gammu's smsd at virtual.port
        virtual.inject_sms("+15551234567", "hello")          # -> [0], +CMTI: "SM",0
        ... virtual.sent()                                    # what the host sent, decoded

The modem runs in a background thread behind the pty's master side, so any client works,
including another process. The command set is in ``virtual_commands``, the behaviour (echo,
prompt, storage, status reports, restarts) in ``virtual_device``. The control methods here
are thread-safe, and fault injection covers what the gateway must survive: failed sends
(``fail_next_sends``), a full SIM (``set_capacity``), a modem that stops answering
(``go_silent``), a restart (``reboot``), slow answers (``set_latency``) and lost
notifications (``suppress_cmti``).

POSIX only (``os.openpty``). Written by hand: no Python library emulates a SIM7600.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TypeVar

from conductor.modem import pdu
from conductor.modem.urc import is_hex
from conductor.modem.virtual_device import Device, SentPdu

T = TypeVar("T")


@dataclass(frozen=True)
class SentMessage:
    """A message the host sent, its parts put back together (in the order they were sent)."""

    number: str
    text: str
    pdus: tuple[str, ...]
    tp_mrs: tuple[int, ...]
    status_report: bool


class VirtualModem:
    """A virtual SIM7600G-H. ``start()`` gives the port to open; ``stop()`` closes it (the
    host then sees the port go away)."""

    def __init__(
        self, *, capacity: int = 30, status_report_delay: float = 0.5, boot_delay: float = 0.05
    ) -> None:
        self._device = Device(
            capacity=capacity, status_report_delay=status_report_delay, boot_delay=boot_delay
        )
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._crash: Exception | None = None
        self._next_reference = 0
        self._master = self._slave = self._wake_read = self._wake_write = -1
        self.port = ""

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> str:
        """Open the pty and start answering; returns the path of the port (its slave side)."""
        if self._thread is not None:
            raise RuntimeError("the virtual modem is already running")
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo or line editing by the pty itself
        os.set_blocking(self._master, False)
        self._wake_read, self._wake_write = os.pipe()
        self.port = os.ttyname(self._slave)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="virtual-sim7600", daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        """Stop answering and close the pty."""
        if self._thread is None:
            return
        self._stopping = True
        self._wake()
        self._thread.join()
        self._thread = None
        for fd in (self._master, self._slave, self._wake_read, self._wake_write):
            os.close(fd)
        if self._crash is not None:
            raise RuntimeError("the virtual modem's thread crashed") from self._crash

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- the network --------------------------------------------------------------------

    def inject_sms(self, sender: str, text: str, *, timestamp: datetime | None = None) -> list[int]:
        """A message from ``sender`` arrives (one PDU per part); returns the indexes stored
        now. Parts that find the storage full wait and arrive when a slot frees."""
        moment = (timestamp or datetime.now(UTC)).replace(microsecond=0)
        with self._lock:
            reference, self._next_reference = self._next_reference, self._next_reference + 1
        pdus = pdu.encode_deliver(sender, text, timestamp=moment, reference=reference % 256)
        return self._locked(lambda now: self._device.deliver(pdus, now))

    def inject_pdu(self, pdu_hex: str) -> list[int]:
        """A PDU (with SMSC information) arrives as it is, malformed or not; it must be hex."""
        if not is_hex(pdu_hex) or len(pdu_hex) % 2:
            raise ValueError(f"{pdu_hex!r} is not an even number of hex digits")
        return self._locked(lambda now: self._device.deliver([pdu_hex.upper()], now))

    def sent_pdus(self) -> list[str]:
        with self._lock:
            return [sent.pdu for sent in self._device.sent]

    def sent(self) -> list[SentMessage]:
        with self._lock:
            return _reassemble(list(self._device.sent))

    def stored(self) -> list[int]:
        """The indexes of the messages in the SIM's storage."""
        with self._lock:
            return sorted(self._device.storage.slots)

    def waiting(self) -> int:
        """How many inbound messages the network holds because the storage is full."""
        with self._lock:
            return len(self._device.network)

    # --- faults -------------------------------------------------------------------------

    def fail_next_sends(self, count: int, cms_code: int) -> None:
        """The next ``count`` AT+CMGS end in ``+CMS ERROR: <cms_code>``."""
        with self._lock:
            self._device.fail_codes.extend([cms_code] * count)

    def set_capacity(self, slots: int) -> None:
        with self._lock:
            self._device.storage.capacity = slots
        self._locked(lambda now: self._device.deliver([], now))

    def storage_full(self) -> bool:
        with self._lock:
            return self._device.storage.full

    def go_silent(self, seconds: float) -> None:
        """No answer at all, not even echo or URCs, for ``seconds``."""
        self._locked(lambda now: self._device.go_silent(seconds, now))

    def reboot(self) -> None:
        """Restart: settings reset (echo on, no +CMTI), then RDY, +CPIN: READY, SMS DONE."""
        self._locked(lambda now: self._device.reboot(now))

    def set_sim_state(self, state: str) -> None:
        """What AT+CPIN? answers from now on: "READY", "SIM PIN", "SIM PUK"..."""
        with self._lock:
            self._device.commands.sim_state = state

    def set_latency(self, seconds: float) -> None:
        """Delay every answer by ``seconds``."""
        with self._lock:
            self._device.latency = seconds

    def suppress_cmti(self, suppress: bool = True) -> None:
        """Store arriving messages without telling the host (+CMTI lost)."""
        with self._lock:
            self._device.suppress_cmti = suppress

    def set_status_report(self, *, status: int = 0x00, delay: float | None = None) -> None:
        """TP-ST of the status reports to come (0x00 delivered, 0x40+ failed) and their delay."""
        with self._lock:
            self._device.report_status = status
            if delay is not None:
                self._device.status_report_delay = delay

    # --- the thread -----------------------------------------------------------------------

    def _locked(self, action: Callable[[float], T]) -> T:
        with self._lock:
            result = action(time.monotonic())
        self._wake()
        return result

    def _wake(self) -> None:
        if self._wake_write >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_write, b"\0")

    def _run(self) -> None:
        """The thread: a crash stops the modem (it goes silent) and is raised by stop()."""
        try:
            while not self._stopping:
                self._step()
        except Exception as exc:
            self._crash = exc

    def _step(self) -> None:
        with self._lock:
            deadline = self._device.next_deadline()
            writing = bool(self._device.output)
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        readable, _, _ = select.select(
            [self._master, self._wake_read], [self._master] if writing else [], [], timeout
        )
        if self._wake_read in readable:
            os.read(self._wake_read, 4096)
        data = self._read() if self._master in readable else b""
        with self._lock:
            now = time.monotonic()
            if data:
                self._device.receive(data, now)
            self._device.poll(now)
            self._write()

    def _read(self) -> bytes:
        try:
            return os.read(self._master, 4096)
        except (BlockingIOError, InterruptedError):
            return b""

    def _write(self) -> None:
        output = self._device.output
        if not output:
            return
        try:
            written = os.write(self._master, output)
        except (BlockingIOError, InterruptedError):
            return
        del output[:written]


def _reassemble(sent: list[SentPdu]) -> list[SentMessage]:
    """Group the parts of each concatenated message (same number, reference and part
    count, until all its parts are there); a single-part message is its own group."""
    groups: list[list[SentPdu]] = []
    open_groups: dict[tuple[str, int, int], list[SentPdu]] = {}
    for item in sent:
        udh = item.sms.udh
        if udh is None:
            groups.append([item])
            continue
        key = (item.sms.number, udh.reference, udh.parts)
        group = open_groups.get(key)
        if group is None:
            group = open_groups[key] = []
            groups.append(group)
        group.append(item)
        if len(group) == udh.parts:
            del open_groups[key]
    return [_message(group) for group in groups]


def _message(parts: list[SentPdu]) -> SentMessage:
    ordered = sorted(parts, key=lambda item: item.sms.udh.sequence if item.sms.udh else 0)
    return SentMessage(
        number=parts[0].sms.number,
        text="".join(item.sms.text for item in ordered),
        pdus=tuple(item.pdu for item in parts),
        tp_mrs=tuple(item.tp_mr for item in parts),
        status_report=parts[0].sms.status_report_requested,
    )
