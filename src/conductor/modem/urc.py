"""Unsolicited result codes (URCs): what the modem says without being asked.

    urc_prefix(line) -> str | None       the URC a line starts, recognised by its prefix
    TWO_LINE                             prefixes whose PDU follows on the next line
    parse_urc(line, pdu=None) -> Urc     the typed URC (MalformedUrc when it does not parse)

The SIM7600 sends these whenever it likes, also between the lines of a command's response, so
the reader recognises them by prefix whatever command is pending (``protocol.AtProtocol``).
With ``AT+CNMI=2,1,0,1,0`` a new message arrives as ``+CMTI: "SM",<index>`` and a status
report as ``+CDS: <length>`` followed by its PDU; after a restart the modem says ``RDY``,
``+CPIN: READY``, ``SMS DONE`` and ``PB DONE``.

Written by hand, like ``at``: no maintained library knows the SIM7600's URCs.
"""

from __future__ import annotations

from dataclasses import dataclass

from conductor.modem.at import fields
from conductor.modem.errors import CommandError


@dataclass(frozen=True)
class NewMessage:
    """``+CMTI: "SM",3``: a message was stored at ``index`` of ``memory``."""

    memory: str
    index: int


@dataclass(frozen=True)
class StatusReport:
    """``+CDS: <length>`` + PDU: a status report routed straight to us, not stored."""

    length: int
    pdu: str


@dataclass(frozen=True)
class StoredStatusReport:
    """``+CDSI: "SM",4``: a status report was stored at ``index`` of ``memory``."""

    memory: str
    index: int


@dataclass(frozen=True)
class IncomingMessage:
    """``+CMT: [<alpha>],<length>`` + PDU: a message routed straight to us, not stored."""

    length: int
    pdu: str


@dataclass(frozen=True)
class ModemReady:
    """``RDY``: the modem (re)started; its settings are back to their defaults."""


@dataclass(frozen=True)
class SimStatus:
    """``+CPIN: READY`` (or another SIM state) after a restart."""

    state: str


@dataclass(frozen=True)
class SmsReady:
    """``SMS DONE``: the SMS service is initialised after a restart."""


@dataclass(frozen=True)
class PhonebookReady:
    """``PB DONE``: the phonebook is initialised after a restart."""


@dataclass(frozen=True)
class MalformedUrc:
    """A line that starts like a URC but does not parse; kept so that it can be logged."""

    line: str
    reason: str


Urc = (
    NewMessage
    | StatusReport
    | StoredStatusReport
    | IncomingMessage
    | ModemReady
    | SimStatus
    | SmsReady
    | PhonebookReady
    | MalformedUrc
)

_EXACT: dict[str, Urc] = {
    "RDY": ModemReady(),
    "SMS DONE": SmsReady(),
    "PB DONE": PhonebookReady(),
}
_PREFIXES = ("+CMTI:", "+CDSI:", "+CDS:", "+CMT:", "+CPIN:")
TWO_LINE = frozenset({"+CDS:", "+CMT:"})


def urc_prefix(line: str) -> str | None:
    """The URC prefix ``line`` starts with (``+CDS:``, ``RDY``...), or None."""
    if line in _EXACT:
        return line
    for prefix in _PREFIXES:
        if line.startswith(prefix):
            return prefix
    return None


def parse_urc(line: str, pdu: str | None = None) -> Urc:
    """The URC on ``line`` (and, for ``TWO_LINE`` prefixes, its ``pdu`` line)."""
    exact = _EXACT.get(line)
    if exact is not None:
        return exact
    try:
        return _parse_prefixed(line, pdu)
    except (CommandError, ValueError, IndexError) as exc:
        return MalformedUrc(line, str(exc))


def _parse_prefixed(line: str, pdu: str | None) -> Urc:
    prefix = urc_prefix(line)
    if prefix is None:
        raise ValueError("not a URC")
    values = fields(line, prefix)
    if prefix == "+CPIN:":
        return SimStatus(values[0])
    if prefix in TWO_LINE:
        if not pdu or not is_hex(pdu):
            raise ValueError(f"no PDU line after it (got {pdu!r})")
        length = int(values[-1])
        return StatusReport(length, pdu) if prefix == "+CDS:" else IncomingMessage(length, pdu)
    memory, index = values[0], int(values[1])
    return NewMessage(memory, index) if prefix == "+CMTI:" else StoredStatusReport(memory, index)


_HEX = frozenset("0123456789ABCDEFabcdef")


def is_hex(text: str) -> bool:
    """True for a non-empty run of hex digits, the shape of a PDU line."""
    return bool(text) and all(char in _HEX for char in text)
