"""The AT commands of the virtual SIM7600: one command line in, one ``Reply`` out, no I/O.

Covers what the gateway and Gammu's identification and SMS code send: AT, ATE0/1, ATZ, AT&F,
ATI, +CMEE, +CGMI, +CGMM, +CGMR, +CGSN, +CIMI, +CCID/+CICCID, +CPIN?, +CSQ, +CREG, +COPS,
+CPMS, +CMGF (PDU mode only: =1 is ERROR), +CSCA, +CSCS, +CNMI, +CSMS, +CMGL, +CMGR, +CMGD,
+CMGS and +CMGW (these two answer with a prompt; ``virtual_device`` takes the PDU), +CBC,
+CFUN, +CRESET. Anything else is ERROR, as on the real modem.

Message storage is ``Storage``: ``capacity`` slots indexed from 0, like the SIM7600's "SM".
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from conductor.modem.errors import PduError
from conductor.modem.pdu import submit_length

UNREAD, READ, UNSENT, SENT, ALL = 0, 1, 2, 3, 4
# AT+CMGD=<index>,<delflag>: the stats each flag deletes (TS 27.005 3.5.4).
_DELETE_FLAGS = {1: {READ}, 2: {READ, SENT}, 3: {READ, SENT, UNSENT}, 4: {0, 1, 2, 3}}


@dataclass
class Settings:
    """What a restart resets: echo on, +CMTI and +CDS off until AT+CNMI."""

    echo: bool = True
    cmee: int = 0
    cnmi: tuple[int, ...] = (0, 0, 0, 0, 0)
    creg: int = 0
    cscs: str = "IRA"


@dataclass(frozen=True)
class SimIdentity:
    manufacturer: str = "SIMCOM INCORPORATED"
    model: str = "SIMCOM_SIM7600G-H"
    revision: str = "LE20B04SIM7600G22"
    imei: str = "862636050000017"
    imsi: str = "310260000000017"
    iccid: str = "8901260000000000017"
    operator: str = "T-Mobile"
    smsc: str = "+12063130004"
    rssi: int = 20


@dataclass
class Slot:
    stat: int
    pdu: str


class Storage:
    """The SIM's message memory: ``capacity`` slots, the lowest free index first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.slots: dict[int, Slot] = {}

    @property
    def full(self) -> bool:
        return len(self.slots) >= self.capacity

    def store(self, pdu: str, stat: int) -> int | None:
        free = next((i for i in range(self.capacity) if i not in self.slots), None)
        if free is not None:
            self.slots[free] = Slot(stat, pdu)
        return free

    def take(self, index: int) -> Slot | None:
        """The message at ``index``, marked read as the modem does when it is read."""
        slot = self.slots.get(index)
        if slot is not None and slot.stat == UNREAD:
            slot.stat = READ
        return slot

    def delete(self, index: int, flag: int) -> None:
        if flag == 0:
            self.slots.pop(index, None)
            return
        for stored in [i for i, slot in self.slots.items() if slot.stat in _DELETE_FLAGS[flag]]:
            del self.slots[stored]


@dataclass(frozen=True)
class PduEntry:
    """``AT+CMGS=<length>`` or ``AT+CMGW=<length>,<stat>``: a PDU follows the prompt."""

    command: Literal["CMGS", "CMGW"]
    length: int
    stat: int = UNSENT


@dataclass(frozen=True)
class Reply:
    lines: tuple[str, ...] = ()
    final: str = "OK"
    entry: PduEntry | None = None
    reboot: bool = False


ERROR = Reply(final="ERROR")


def cms(code: int) -> Reply:
    return Reply(final=f"+CMS ERROR: {code}")


def tpdu_length(pdu_hex: str) -> int:
    """The <length> of +CMGL, +CMGR, +CMT and +CDS: octets after the SMSC information (a
    guess for a malformed PDU, which a test may have injected on purpose)."""
    try:
        return submit_length(pdu_hex)
    except PduError:
        return max(0, len(pdu_hex) // 2 - 1)


def render(reply: Reply) -> str:
    """The text of a reply as the SIM7600 frames it (ATV1): the information lines together
    between CR LFs, then the final result code between its own."""
    info = "".join(f"{line}\r\n" for line in reply.lines)
    return (f"\r\n{info}" if info else "") + f"\r\n{reply.final}\r\n"


Handler = Callable[["CommandSet", str, list[str]], Reply]


@dataclass
class CommandSet:
    """Executes command lines against the settings and storage of one virtual modem."""

    storage: Storage
    identity: SimIdentity = field(default_factory=SimIdentity)
    settings: Settings = field(default_factory=Settings)
    sim_state: str = "READY"  # what AT+CPIN? says: READY, SIM PIN, SIM PUK...

    def execute(self, line: str) -> Reply:
        text = line.strip()
        if text[:2].upper() != "AT":
            return ERROR
        body = text[2:]
        if not body.startswith("+"):
            return self._basic(body.upper())
        name, op, args = _split(body)
        handler = HANDLERS.get(name)
        if handler is None:
            return ERROR
        try:
            return handler(self, op, args)
        except (ValueError, IndexError, KeyError):
            return ERROR

    def _basic(self, body: str) -> Reply:
        if body in ("", "V1", "Q0", "&W", "&W0"):
            return Reply()
        if body in ("E0", "E1"):
            self.settings.echo = body == "E1"
            return Reply()
        if body in ("Z", "Z0", "&F", "&F0"):
            self.settings = Settings()
            return Reply()
        if body in ("I", "I0"):
            ident = self.identity
            return Reply(
                (
                    f"Manufacturer: {ident.manufacturer}",
                    f"Model: {ident.model}",
                    f"Revision: {ident.revision}",
                    f"IMEI: {ident.imei}",
                    "+GCAP: +CGSM",
                )
            )
        return ERROR

    def used(self) -> str:
        return f"{len(self.storage.slots)},{self.storage.capacity}"


def _split(body: str) -> tuple[str, str, list[str]]:
    """``+CMGD=1,4`` -> ``("+CMGD", "set", ["1", "4"])``; ops: exec, read, test, set."""
    if body.endswith("=?"):
        return body[:-2].upper(), "test", []
    if body.endswith("?"):
        return body[:-1].upper(), "read", []
    if "=" in body:
        name, arguments = body.split("=", 1)
        return name.upper(), "set", next(csv.reader([arguments], skipinitialspace=True))
    return body.upper(), "exec", []


# --- handlers ----------------------------------------------------------------------------------


def _constant(*lines: str) -> Handler:
    return lambda commands, op, args: Reply(lines) if op == "exec" else ERROR


def _cmee(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op == "set" and args[0] in ("0", "1", "2"):
        commands.settings.cmee = int(args[0])
        return Reply()
    if op == "read":
        return Reply((f"+CMEE: {commands.settings.cmee}",))
    return Reply(("+CMEE: (0-2)",)) if op == "test" else ERROR


def _cmgf(commands: CommandSet, op: str, args: list[str]) -> Reply:
    """PDU mode only: text mode (AT+CMGF=1) is refused."""
    if op == "set":
        return Reply() if args == ["0"] else ERROR
    if op == "read":
        return Reply(("+CMGF: 0",))
    return Reply(("+CMGF: (0)",)) if op == "test" else ERROR


def _cnmi(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op == "set":
        values = [int(value) if value else 0 for value in args][:5]
        commands.settings.cnmi = (*values, *(0,) * (5 - len(values)))
        return Reply()
    if op == "read":
        return Reply(("+CNMI: " + ",".join(map(str, commands.settings.cnmi)),))
    return Reply(("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)",)) if op == "test" else ERROR


def _cpms(commands: CommandSet, op: str, args: list[str]) -> Reply:
    """Only the SIM's memory, "SM"."""
    used = commands.used()
    if op == "set":
        if not args or any(memory.upper() != "SM" for memory in args):
            return cms(302)
        return Reply((f"+CPMS: {used},{used},{used}",))
    if op == "read":
        return Reply((f'+CPMS: "SM",{used},"SM",{used},"SM",{used}',))
    return Reply(('+CPMS: ("SM"),("SM"),("SM")',)) if op == "test" else ERROR


def _cmgl(commands: CommandSet, op: str, args: list[str]) -> Reply:
    stat = int(args[0]) if op == "set" else UNREAD if op == "exec" else -1
    if op == "test":
        return Reply(("+CMGL: (0-4)",))
    if not UNREAD <= stat <= ALL:
        return cms(304) if op == "set" else ERROR
    lines: list[str] = []
    for index in sorted(commands.storage.slots):
        slot = commands.storage.slots[index]
        if stat == ALL or slot.stat == stat:
            lines += [f"+CMGL: {index},{slot.stat},,{tpdu_length(slot.pdu)}", slot.pdu]
            commands.storage.take(index)
    return Reply(tuple(lines))


def _cmgr(commands: CommandSet, op: str, args: list[str]) -> Reply:
    index = int(args[0]) if op == "set" else -1
    if not 0 <= index < commands.storage.capacity:
        return cms(321)
    slot = commands.storage.slots.get(index)
    if slot is None:
        return Reply()
    header = f"+CMGR: {slot.stat},,{tpdu_length(slot.pdu)}"
    commands.storage.take(index)
    return Reply((header, slot.pdu))


def _cmgd(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op == "test":
        indexes = ",".join(map(str, sorted(commands.storage.slots)))
        return Reply((f"+CMGD: ({indexes}),(0-4)",))
    index, flag = int(args[0]), int(args[1]) if len(args) > 1 else 0
    if op != "set" or not 0 <= flag <= 4:
        return ERROR
    if flag == 0 and not 0 <= index < commands.storage.capacity:
        return cms(321)
    commands.storage.delete(index, flag)
    return Reply()


def _cmgs(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op == "test":
        return Reply()
    if op != "set" or not 7 <= int(args[0]) <= 164:
        return cms(304) if op == "set" else ERROR
    return Reply(final="", entry=PduEntry("CMGS", int(args[0])))


def _cmgw(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op != "set" or not 7 <= int(args[0]) <= 164:
        return cms(304) if op == "set" else ERROR
    stat = int(args[1]) if len(args) > 1 else UNSENT
    return Reply(final="", entry=PduEntry("CMGW", int(args[0]), stat))


def _settable(read_line: Callable[[CommandSet], str], test_line: str = "") -> Handler:
    """A command whose value reads back and whose set form is accepted (and ignored)."""

    def handler(commands: CommandSet, op: str, args: list[str]) -> Reply:
        if op == "read":
            return Reply((read_line(commands),))
        if op == "test":
            return Reply((test_line,) if test_line else ())
        return Reply() if op == "set" else ERROR

    return handler


def _creg(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op == "set" and args[0] in ("0", "1", "2"):
        commands.settings.creg = int(args[0])
        return Reply()
    if op == "read":
        return Reply((f"+CREG: {commands.settings.creg},1",))
    return Reply(("+CREG: (0-2)",)) if op == "test" else ERROR


def _cscs(commands: CommandSet, op: str, args: list[str]) -> Reply:
    if op == "set" and args[0].upper() in ("IRA", "GSM", "UCS2"):
        commands.settings.cscs = args[0].upper()
        return Reply()
    if op == "read":
        return Reply((f'+CSCS: "{commands.settings.cscs}"',))
    return Reply(('+CSCS: ("IRA","GSM","UCS2")',)) if op == "test" else ERROR


def _creset(commands: CommandSet, op: str, args: list[str]) -> Reply:
    return Reply(reboot=True) if op == "exec" else ERROR


def _identity(attribute: str, prefix: str = "") -> Handler:
    return lambda commands, op, args: (
        Reply((prefix + getattr(commands.identity, attribute),)) if op == "exec" else ERROR
    )


HANDLERS: dict[str, Handler] = {
    "+CMEE": _cmee,
    "+CMGF": _cmgf,
    "+CNMI": _cnmi,
    "+CPMS": _cpms,
    "+CMGL": _cmgl,
    "+CMGR": _cmgr,
    "+CMGD": _cmgd,
    "+CMGS": _cmgs,
    "+CMGW": _cmgw,
    "+CREG": _creg,
    "+CSCS": _cscs,
    "+CRESET": _creset,
    "+CGMI": _identity("manufacturer"),
    "+GMI": _identity("manufacturer"),
    "+CGMM": _identity("model"),
    "+GMM": _identity("model"),
    "+CGMR": _identity("revision", "+CGMR: "),
    "+GMR": _identity("revision", "+CGMR: "),
    "+CGSN": _identity("imei"),
    "+GSN": _identity("imei"),
    "+CIMI": _identity("imsi"),
    "+CICCID": _identity("iccid", "+ICCID: "),
    "+CCID": _identity("iccid", "+CCID: "),
    "+CSQ": lambda commands, op, args: (
        Reply((f"+CSQ: {commands.identity.rssi},99",))
        if op == "exec"
        else Reply(("+CSQ: (0-31,99),(0-7,99)",))
        if op == "test"
        else ERROR
    ),
    "+CPIN": _settable(lambda commands: f"+CPIN: {commands.sim_state}"),
    "+COPS": _settable(
        lambda commands: f'+COPS: 0,0,"{commands.identity.operator}",7',
        '+COPS: (2,"T-Mobile","T-Mobile","310260",7),,(0-4),(0-2)',
    ),
    "+CSCA": _settable(lambda commands: f'+CSCA: "{commands.identity.smsc}",145'),
    "+CSMS": _settable(lambda commands: "+CSMS: 0,1,1,1", "+CSMS: (0-1)"),
    "+CFUN": _settable(lambda commands: "+CFUN: 1", "+CFUN: (0,1,4,5,6,7),(0-1)"),
    "+CBC": _constant("+CBC: 4.100V"),
}
