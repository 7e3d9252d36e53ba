"""AT command lines (3GPP TS 27.007 / 27.005, SIM7600 dialect) parsed without any I/O.

    parse_final(line) -> Final | None         OK, ERROR, +CME ERROR: <n>, +CMS ERROR: <n>
    command_error(final, command) -> CommandError
    response_prefix(command) -> str | None    the "+XXX:" a command's own answer starts with
    parse_cmgl / parse_cmgr / parse_cmgs / parse_csq / parse_creg / parse_cops / parse_cpms
    (unsolicited result codes are in ``urc``)

Info parsers take the information lines of one response (echo, empty lines and the final
result already removed, as ``Modem.command`` returns them) and raise ``CommandError``
(transient) when the modem answered something that does not fit.

Written by hand: no maintained Python library parses the SIM7600's AT responses; the pieces of
python-gsmmodem that do are regular expressions fused to its modem class.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from conductor.modem.cms import cms_error
from conductor.modem.errors import CommandError

# --- final result codes ----------------------------------------------------------------------

_ERROR_FINALS = frozenset({"ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"})
CME_PREFIX = "+CME ERROR:"
CMS_PREFIX = "+CMS ERROR:"


@dataclass(frozen=True)
class Final:
    """The line that ends a command: ``ok`` or an error, with its code when numbered."""

    line: str
    ok: bool
    cms_code: int | None = None
    cme_code: int | None = None


def parse_final(line: str) -> Final | None:
    """The final result code on ``line``, or None when the line is something else."""
    if line == "OK":
        return Final(line, ok=True)
    if line in _ERROR_FINALS:
        return Final(line, ok=False)
    if line.startswith(CMS_PREFIX):
        return Final(line, ok=False, cms_code=_int_or_none(line[len(CMS_PREFIX) :]))
    if line.startswith(CME_PREFIX):
        return Final(line, ok=False, cme_code=_int_or_none(line[len(CME_PREFIX) :]))
    return None


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def command_error(final: Final, command: str) -> CommandError:
    """The CommandError for an error final; +CMS codes decide ``permanent`` (see ``cms``)."""
    if final.cms_code is not None:
        entry = cms_error(final.cms_code)
        message = f"{command}: +CMS ERROR {entry.code} ({entry.meaning})"
        return CommandError(
            message, command=command, cms_code=entry.code, permanent=entry.permanent
        )
    return CommandError(
        f"{command}: {final.line}", command=command, cme_code=final.cme_code, permanent=False
    )


def response_prefix(command: str) -> str | None:
    """``AT+CPIN?`` -> ``+CPIN:``: lines with this prefix answer the command, even when the
    same prefix also comes unsolicited (``+CPIN: READY`` after a restart)."""
    body = command.strip()[2:] if command[:2].upper() == "AT" else command.strip()
    if not body.startswith("+"):
        return None
    end = len(body)
    for stop in "=?":
        found = body.find(stop)
        if found != -1:
            end = min(end, found)
    return body[:end].upper() + ":"


# --- information responses -------------------------------------------------------------------


def fields(line: str, prefix: str) -> list[str]:
    """``+COPS: 0,0,"T-Mobile",7`` -> ``['0', '0', 'T-Mobile', '7']`` (quotes removed)."""
    if not line.startswith(prefix):
        raise CommandError(f"expected {prefix} in {line!r}", permanent=False)
    return next(csv.reader([line[len(prefix) :]], skipinitialspace=True))


def _ints(values: list[str], line: str) -> list[int]:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise CommandError(f"expected numbers in {line!r}", permanent=False) from None


def info_line(lines: list[str], prefix: str) -> str:
    """The first line starting with ``prefix``; CommandError when there is none."""
    for line in lines:
        if line.startswith(prefix):
            return line
    raise CommandError(f"no {prefix} line in {lines!r}", permanent=False)


@dataclass(frozen=True)
class StoredMessage:
    """One message in the modem's storage: ``stat`` 0 unread, 1 read, 2 unsent, 3 sent."""

    index: int
    stat: int
    length: int
    pdu: str


def parse_cmgl(lines: list[str]) -> list[StoredMessage]:
    """``+CMGL: <index>,<stat>,[<alpha>],<length>`` each followed by its PDU line."""
    messages: list[StoredMessage] = []
    pending: list[int] | None = None
    for line in lines:
        if line.startswith("+CMGL:"):
            if pending is not None:
                raise CommandError(f"+CMGL entry without a PDU before {line!r}", permanent=False)
            values = fields(line, "+CMGL:")
            pending = _ints([values[0], values[1], values[-1]], line)
        elif pending is not None:
            index, stat, length = pending
            messages.append(StoredMessage(index, stat, length, line))
            pending = None
    if pending is not None:
        raise CommandError("the last +CMGL entry has no PDU", permanent=False)
    return messages


def parse_cmgr(index: int, lines: list[str]) -> StoredMessage | None:
    """``+CMGR: <stat>,[<alpha>],<length>`` and its PDU; None for an empty slot."""
    if not lines:
        return None
    values = fields(lines[0], "+CMGR:")
    stat, length = _ints([values[0], values[-1]], lines[0])
    if len(lines) < 2:
        raise CommandError(f"+CMGR without a PDU: {lines!r}", permanent=False)
    return StoredMessage(index, stat, length, lines[1])


def parse_cmgs(lines: list[str]) -> int:
    """``+CMGS: <mr>[,<scts>]`` -> the TP-MR the modem gave the message."""
    line = info_line(lines, "+CMGS:")
    return _ints(fields(line, "+CMGS:")[:1], line)[0]


@dataclass(frozen=True)
class Signal:
    """``+CSQ``: ``rssi`` 0-31 (99 unknown), ``ber`` 0-7 (99 unknown)."""

    rssi: int
    ber: int

    @property
    def dbm(self) -> int | None:
        return -113 + 2 * self.rssi if 0 <= self.rssi <= 31 else None


def parse_csq(lines: list[str]) -> Signal:
    line = info_line(lines, "+CSQ:")
    rssi, ber = _ints(fields(line, "+CSQ:")[:2], line)
    return Signal(rssi, ber)


@dataclass(frozen=True)
class Registration:
    """``+CREG``: ``stat`` 0 not searching, 1 home, 2 searching, 3 denied, 5 roaming."""

    mode: int
    stat: int

    @property
    def registered(self) -> bool:
        return self.stat in (1, 5)


def parse_creg(lines: list[str]) -> Registration:
    line = info_line(lines, "+CREG:")
    mode, stat = _ints(fields(line, "+CREG:")[:2], line)
    return Registration(mode, stat)


@dataclass(frozen=True)
class Operator:
    """``+COPS``: the selection mode and, when registered, the operator and access tech."""

    mode: int
    name: str | None = None
    act: int | None = None


def parse_cops(lines: list[str]) -> Operator:
    line = info_line(lines, "+COPS:")
    values = fields(line, "+COPS:")
    mode = _ints(values[:1], line)[0]
    name = values[2] if len(values) > 2 and values[2] else None
    act = _ints(values[3:4], line)[0] if len(values) > 3 and values[3] else None
    return Operator(mode, name, act)


@dataclass(frozen=True)
class MemoryUse:
    """One message memory of ``+CPMS``: its name (None in a set reply), used and total slots."""

    memory: str | None
    used: int
    total: int

    @property
    def free(self) -> int:
        return self.total - self.used


def parse_cpms(lines: list[str]) -> list[MemoryUse]:
    """``+CPMS: "SM",1,30,"SM",1,30,...`` (read) or ``+CPMS: 1,30,1,30,...`` (set)."""
    line = info_line(lines, "+CPMS:")
    values = fields(line, "+CPMS:")
    named = bool(values) and not values[0].isdigit()
    step = 3 if named else 2
    uses: list[MemoryUse] = []
    for start in range(0, len(values) - step + 1, step):
        chunk = values[start : start + step]
        used, total = _ints(chunk[-2:], line)
        uses.append(MemoryUse(chunk[0] if named else None, used, total))
    if not uses:
        raise CommandError(f"no memories in {line!r}", permanent=False)
    return uses


def value_after_prefix(lines: list[str]) -> str:
    """The first line with any ``+XXX: `` prefix and quotes removed: ``+ICCID: 8901...``."""
    if not lines:
        raise CommandError("empty response", permanent=False)
    line = lines[0]
    if line.startswith("+") and ":" in line:
        line = line.split(":", 1)[1]
    return line.strip().strip('"')
