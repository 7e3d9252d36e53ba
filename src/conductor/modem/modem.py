"""The request/response API over a serial port: one command at a time, named timeouts.

    modem = await Modem.open("/dev/ttyUSB2")
    lines = await modem.command("AT+CSQ")             # ['+CSQ: 20,99']
    mr = await modem.send_pdu(pdu_hex, length)        # AT+CMGS=<length>, "> ", PDU, Ctrl-Z
    lines = await modem.pdu_command("AT+CMGW=25", pdu_hex)   # any command that prompts
    urc = await modem.next_urc()                      # NewMessage(memory='SM', index=3), ...
    await modem.close()

One ``asyncio.Lock`` serialises commands; URCs go to an unbounded ``asyncio.Queue`` (``urcs``)
filled by the reader, so a slow consumer never stalls it. Failures are typed (see ``errors``):
``CommandError`` for ERROR / +CMS ERROR / +CME ERROR (``permanent`` from the +CMS code),
``ModemTimeout`` when no final result code arrives in time, ``ModemGone`` when the port closes
or cannot be opened. After a ``ModemTimeout`` of ``send_pdu`` the message may or may not have
been sent: the modem had the PDU.

Built on pyserial-asyncio (``serial_asyncio.create_serial_connection``); the layer above it is
written by hand because no maintained library drives AT modems on asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self

import serial
import serial_asyncio

from conductor.modem.at import command_error, parse_cmgs
from conductor.modem.errors import CommandError, ModemGone, ModemTimeout
from conductor.modem.protocol import AtProtocol, Exchange
from conductor.modem.urc import Urc

CTRL_Z = b"\x1a"
ESC = b"\x1b"

TimeoutName = Literal["default", "send", "list", "init"]


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a final result code, by kind of command."""

    default: float = 5.0
    send: float = 60.0  # AT+CMGS after the PDU: the network round trip can take long
    list: float = 15.0  # AT+CMGL on a full SIM
    init: float = 10.0  # the first commands after opening, while the modem may be booting


class Modem:
    """An open AT modem. Build it with ``await Modem.open(port)``."""

    def __init__(self, timeouts: Timeouts = Timeouts()) -> None:
        self.urcs: asyncio.Queue[Urc] = asyncio.Queue()
        self.timeouts = timeouts
        self._closed = asyncio.Event()
        self._protocol = AtProtocol(self.urcs.put_nowait, lambda exc: self._closed.set())
        self._lock = asyncio.Lock()

    @classmethod
    async def open(
        cls, port: str, *, baudrate: int = 115200, timeouts: Timeouts = Timeouts()
    ) -> Modem:
        """Open ``port`` (``/dev/ttyUSB2``, ``COM24``); ModemGone if it cannot be opened."""
        modem = cls(timeouts)
        try:
            transport, _ = await serial_asyncio.create_serial_connection(
                asyncio.get_running_loop(), lambda: modem._protocol, port, baudrate=baudrate
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ModemGone(f"cannot open {port}: {exc}") from exc
        with contextlib.suppress(serial.SerialException, OSError):
            transport.serial.reset_input_buffer()  # stale bytes from before we opened
        await asyncio.sleep(0)  # the transport calls connection_made with call_soon
        if modem._protocol.transport is None:
            raise ModemGone(f"{port} closed while opening")
        return modem

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def close(self) -> None:
        """Close the port; pending and later commands raise ModemGone."""
        transport = self._protocol.transport
        if transport is not None:
            transport.close()
            await self._closed.wait()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def command(self, command: str, *, timeout_name: TimeoutName = "default") -> list[str]:
        """Send ``command`` (without CR) and return its information lines."""
        async with self._lock:
            exchange = Exchange(command)
            self._protocol.start(exchange)
            try:
                self._protocol.write(command.encode("ascii") + b"\r")
                await self._wait(exchange, exchange.finished, self._seconds(timeout_name))
            finally:
                self._protocol.abandon(exchange)
            return exchange.lines

    async def cancel_input(self, settle: float = 0.2) -> None:
        """Write ESC and wait ``settle`` seconds: ends a PDU entry (``> ``) that a previous
        host left half-done when it died; the modem's stray answer arrives while no command is
        pending and is dropped. Harmless when there was nothing to cancel."""
        async with self._lock:
            self._protocol.write(ESC)
            await asyncio.sleep(settle)

    async def send_pdu(self, pdu_hex: str, length: int) -> int:
        """``AT+CMGS=<length>``, the PDU after the ``> `` prompt, Ctrl-Z; returns TP-MR."""
        return parse_cmgs(await self.pdu_command(f"AT+CMGS={length}", pdu_hex))

    async def pdu_command(
        self, command: str, pdu_hex: str, *, timeout_name: TimeoutName = "send"
    ) -> list[str]:
        """A command that prompts for a PDU (AT+CMGS, AT+CMGW): ``command``, wait for
        ``> `` (default timeout), the PDU and Ctrl-Z; returns the information lines."""
        async with self._lock:
            exchange = Exchange(command, expect_prompt=True, pdu=pdu_hex)
            self._protocol.start(exchange)
            try:
                self._protocol.write(command.encode("ascii") + b"\r")
                await self._prompt(exchange)
                self._protocol.write(pdu_hex.encode("ascii") + CTRL_Z)
                await self._wait(exchange, exchange.finished, self._seconds(timeout_name))
            finally:
                self._protocol.abandon(exchange)
            return exchange.lines

    async def next_urc(self) -> Urc:
        """The next unsolicited result code; ModemGone once the port has closed and every
        URC received before has been taken."""
        if not self.urcs.empty():
            return self.urcs.get_nowait()
        get = asyncio.ensure_future(self.urcs.get())
        gone = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({get, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not get.done():
                get.cancel()
        if get.done() and not get.cancelled():
            return get.result()
        raise ModemGone("the modem's serial port closed")

    # --- waiting ------------------------------------------------------------------------

    def _seconds(self, name: TimeoutName) -> float:
        seconds: float = getattr(self.timeouts, name)
        return seconds

    async def _prompt(self, exchange: Exchange) -> None:
        try:
            await self._wait(exchange, exchange.prompted, self.timeouts.default)
        except ModemTimeout:
            with contextlib.suppress(ModemGone):
                self._protocol.write(ESC)  # leave the PDU entry state
            raise
        if exchange.finished.is_set():
            raise CommandError(f"{exchange.command}: OK without a > prompt", permanent=False)

    async def _wait(self, exchange: Exchange, event: asyncio.Event, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            raise ModemTimeout(f"{exchange.command}: no answer within {seconds:g} s") from None
        if exchange.error is not None:
            raise ModemGone(str(exchange.error)) from exchange.error
        if exchange.final is not None and not exchange.final.ok:
            raise command_error(exchange.final, exchange.command)
