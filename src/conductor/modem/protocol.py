"""The reader: an ``asyncio.Protocol`` that buffers bytes, splits lines and dispatches them.

It does no parsing beyond recognising lines: each non-empty line is either

- an unsolicited result code, recognised by prefix (``urc.urc_prefix``) whatever command is
  pending, handed to ``on_urc`` (for ``+CDS`` and ``+CMT`` together with the PDU line after
  it); a line with the prefix of the pending command's own answer (``+CPIN: READY`` while
  ``AT+CPIN?`` is pending) belongs to the command;
- the echo of the pending command (or of the PDU sent after ``> ``), dropped;
- a final result code, which completes the pending ``Exchange``;
- or an information line, collected in the pending exchange's ``lines``.

The ``> `` prompt of ``AT+CMGS`` has no line terminator: it is recognised at the start of the
buffer while the pending exchange waits for one. Lines that arrive with no command pending and
are not URCs (a late answer to a command that timed out) are logged and dropped.

``on_urc`` is called from the event loop's reader callback and must not block.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from conductor.modem.at import Final, parse_final, response_prefix
from conductor.modem.errors import ModemGone
from conductor.modem.urc import TWO_LINE, Urc, is_hex, parse_urc, urc_prefix

log = logging.getLogger(__name__)

MAX_LINE = 64 * 1024  # a longer run without a line end is garbage, not a response
_BLANKS = " \t\x1a\x1b"  # around a line; Ctrl-Z and ESC come back in the echo of a PDU


class Exchange:
    """One command in flight: what the reader collects for it until its final result code.

    ``prompted`` is set when the ``> `` prompt arrives and also when the exchange ends (an
    error instead of a prompt); ``finished`` when it ends, with ``final`` or ``error`` set.
    """

    def __init__(self, command: str, *, expect_prompt: bool = False, pdu: str = "") -> None:
        self.command = command
        self.prefix = response_prefix(command)
        self.expect_prompt = expect_prompt
        self.echoes = frozenset(text for text in (command, pdu) if text)
        self.lines: list[str] = []
        self.final: Final | None = None
        self.error: ModemGone | None = None
        self.prompted = asyncio.Event()
        self.finished = asyncio.Event()

    def claims(self, line: str) -> bool:
        return self.prefix is not None and line.startswith(self.prefix)

    def complete(self, final: Final | None, error: ModemGone | None = None) -> None:
        self.final = final
        self.error = error
        self.prompted.set()
        self.finished.set()


class AtProtocol(asyncio.Protocol):
    """Splits the modem's bytes into lines and routes them; writes what the ``Modem`` asks."""

    def __init__(
        self,
        on_urc: Callable[[Urc], None],
        on_lost: Callable[[Exception | None], None] | None = None,
    ) -> None:
        self._on_urc = on_urc
        self._on_lost = on_lost
        self._buffer = b""
        self._urc_header: str | None = None
        self.transport: asyncio.WriteTransport | None = None
        self.pending: Exchange | None = None
        self.gone: ModemGone | None = None

    # --- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            self._buffer = self._buffer.lstrip(b"\r\n")
            if self._take_prompt():
                continue
            end = _line_end(self._buffer)
            if end < 0:
                break
            raw, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
            self._line(raw.decode("ascii", "replace").strip(_BLANKS))
        if len(self._buffer) > MAX_LINE:
            log.warning("dropping %d bytes without a line end", len(self._buffer))
            self._buffer = b""

    def connection_lost(self, exc: Exception | None) -> None:
        reason = f": {exc}" if exc else ""
        self.gone = ModemGone(f"the modem's serial port closed{reason}")
        self.transport = None
        if self.pending is not None:
            self.pending.complete(None, self.gone)
            self.pending = None
        if self._on_lost is not None:
            self._on_lost(exc)

    # --- what the Modem calls -----------------------------------------------------------

    def start(self, exchange: Exchange) -> None:
        """Make ``exchange`` the pending one; ModemGone if the port has closed."""
        if self.gone is not None or self.transport is None:
            raise self.gone or ModemGone("the modem's serial port is not open")
        if self.pending is not None:
            raise RuntimeError(f"{self.pending.command!r} is still pending")
        self.pending = exchange

    def abandon(self, exchange: Exchange) -> None:
        """Stop collecting for ``exchange`` (timed out or cancelled): later lines are stray."""
        if self.pending is exchange:
            self.pending = None

    def write(self, data: bytes) -> None:
        if self.transport is None:
            raise self.gone or ModemGone("the modem's serial port is not open")
        log.debug("> %r", data)
        self.transport.write(data)

    # --- lines --------------------------------------------------------------------------

    def _take_prompt(self) -> bool:
        exchange = self.pending
        if exchange is None or not exchange.expect_prompt or exchange.prompted.is_set():
            return False
        if not self._buffer.startswith(b">"):
            return False
        self._buffer = self._buffer[2:] if self._buffer.startswith(b"> ") else self._buffer[1:]
        exchange.prompted.set()
        return True

    def _line(self, line: str) -> None:
        if not line:
            return
        log.debug("< %s", line)
        if self._urc_header is not None:
            header, self._urc_header = self._urc_header, None
            if is_hex(line):
                self._on_urc(parse_urc(header, line))
                return
            self._on_urc(parse_urc(header))  # a MalformedUrc; the line is something else
        exchange = self.pending
        prefix = urc_prefix(line)
        if prefix is not None and not (exchange is not None and exchange.claims(line)):
            if prefix in TWO_LINE:
                self._urc_header = line
            else:
                self._on_urc(parse_urc(line))
            return
        if exchange is None:
            log.info("dropping a line with no command pending: %r", line)
        elif line not in exchange.echoes:
            self._command_line(exchange, line)

    def _command_line(self, exchange: Exchange, line: str) -> None:
        final = parse_final(line)
        if final is None:
            exchange.lines.append(line)
            return
        self.pending = None
        exchange.complete(final)


def _line_end(buffer: bytes) -> int:
    ends = [index for index in (buffer.find(b"\r"), buffer.find(b"\n")) if index >= 0]
    return min(ends, default=-1)
