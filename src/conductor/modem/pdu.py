"""SMS PDUs (3GPP TS 23.040): decode what the modem stores, encode what it should send.

    decode(pdu_hex, *, smsc=True) -> Sms          SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT
    encode_submit(number, text, ...) -> [hex]     one SMS-SUBMIT per part, for AT+CMGS
    encode_deliver(sender, text, ...) -> [hex]    inbound messages, for the virtual modem
    encode_status_report(recipient, ...) -> hex   delivery reports, for the virtual modem
    submit_length(pdu_hex) -> int                 the <length> AT+CMGS wants

Every failure is a ``PduError``: decoding never lets an IndexError, ValueError or
UnicodeDecodeError out, whatever the input, and encoding refuses what a PDU cannot carry.

Written by hand: no maintained Python library both decodes and encodes PDUs with typed results.
python-gsmmodem's ``gsmmodem.pdu`` (last release 2013; its forks python-gsmmodem-new and
python-gsmmodem-2025 carry it unchanged) returns dicts, accepts user data lengths that point
past the end and is tied to its modem class; smspdudecoder decodes only (its encoding side is
primitives) and depends on bitstring; smspdu (2011) is Python 2 era. Their test vectors are
used in ``tests/modem/test_pdu_vectors.py``.

Choices worth knowing:

- SMS-SUBMIT PDUs start with ``00`` (the modem's stored SMSC), carry TP-MR 0 (the modem assigns
  the reference) and a relative validity period of 4 days (TP-VP 0xAA).
- Time stamps are read as years 2000-2099, with their own UTC offset (negative zones included).
- 8-bit data is given as ``data`` and as ``text`` decoded as latin-1 (every octet maps to one
  character); compressed text (TS 23.042) is not decompressed and is treated as 8-bit data.
- Concatenation elements that TS 23.040 9.2.3.24.1 says to ignore (0 parts, sequence 0 or past
  the number of parts) are ignored: ``udh`` is then None. Other elements (ports, national
  language shifts, ...) are kept raw in ``information_elements``; shift tables are not applied.
- UCS-2 is decoded as UTF-16-BE, so emoji survive; a lone surrogate is a PduError.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypedDict

from conductor.modem import fields, userdata
from conductor.modem.errors import PduError
from conductor.modem.fields import Reader
from conductor.modem.userdata import Encoding, UserData

MessageType = Literal["deliver", "submit", "status_report"]

DEFAULT_SMSC = "+12063130004"
VALIDITY_4_DAYS = 0xAA  # TP-VP relative: (0xAA - 166) days

_MTI_DELIVER, _MTI_SUBMIT, _MTI_STATUS_REPORT = 0x00, 0x01, 0x02
_UDHI = 0x40
_SRR = 0x20  # TP-SRR in SUBMIT, TP-SRI in DELIVER, TP-SRQ in STATUS-REPORT
_NO_MORE_MESSAGES = 0x04  # TP-MMS in DELIVER and STATUS-REPORT
_VPF_RELATIVE = 0x10
_DCS = {"gsm7": 0x00, "8bit": 0x04, "ucs2": 0x08}


@dataclass(frozen=True)
class Udh:
    """The concatenation element of a user data header: part ``sequence`` of ``parts``."""

    reference: int
    parts: int
    sequence: int
    iei: int  # 0x00: 8-bit reference, 0x08: 16-bit reference


@dataclass(frozen=True, kw_only=True)
class Sms:
    """One decoded PDU.

    ``number`` is the originating address of a deliver, the destination of a submit and the
    recipient of a status report: ``+<digits>`` when international, the digits as given
    otherwise, the decoded name for an alphanumeric sender. ``data`` is the user data after the
    header: octets for 8-bit and UCS-2, one byte per septet for GSM 7-bit.

    Status reports carry ``reference`` (the TP-MR of the message they report on; also in
    ``message_reference``), ``status`` (TP-ST), ``timestamp`` (when the SMSC received the
    message), ``discharge_time`` and ``delivered``: TP-ST 0x00-0x1F, "transaction completed"
    (0x00 received by the recipient, 0x01 forwarded but unconfirmed, 0x02 replaced).
    """

    type: MessageType
    number: str
    text: str
    encoding: Encoding
    data: bytes
    timestamp: datetime | None
    udh: Udh | None
    smsc: str | None
    pid: int
    dcs: int
    message_class: int | None
    status_report_requested: bool = False
    message_reference: int | None = None
    validity: timedelta | datetime | None = None
    reference: int | None = None
    status: int | None = None
    discharge_time: datetime | None = None
    delivered: bool | None = None
    information_elements: tuple[tuple[int, bytes], ...] = ()


# --- decoding --------------------------------------------------------------------------------


def decode(pdu_hex: str, *, smsc: bool = True) -> Sms:
    """Decode a PDU as hex; ``smsc=True`` when it starts with the SMSC information, as the
    PDUs of +CMGR, +CMGL and +CDS do. Raises PduError for anything malformed."""
    try:
        reader = Reader(_octets(pdu_hex))
        smsc_number = fields.read_smsc(reader) if smsc else None
        first = reader.octet("first octet")
        mti = first & 0x03
        if mti == _MTI_DELIVER:
            return _deliver(reader, first, smsc_number)
        if mti == _MTI_SUBMIT:
            return _submit(reader, first, smsc_number)
        if mti == _MTI_STATUS_REPORT:
            return _status_report(reader, first, smsc_number)
        raise PduError(f"reserved message type indicator 11 (first octet {first:02X})")
    except PduError:
        raise
    except Exception as exc:
        raise PduError(f"malformed PDU ({type(exc).__name__}: {exc})") from exc


def _octets(pdu_hex: str) -> bytes:
    if not isinstance(pdu_hex, str):
        raise PduError(f"a PDU is a hex string, not {type(pdu_hex).__name__}")
    text = pdu_hex.strip()
    if not all(char in string.hexdigits for char in text):
        raise PduError("PDU is not hexadecimal")
    if len(text) % 2:
        raise PduError(f"PDU has an odd number of hex digits ({len(text)})")
    return bytes.fromhex(text)


def _deliver(reader: Reader, first: int, smsc: str | None) -> Sms:
    number = fields.read_address(reader, "originating address")
    pid, dcs = reader.octet("TP-PID"), reader.octet("TP-DCS")
    timestamp = fields.read_timestamp(reader, "TP-SCTS")
    coding = userdata.coding(dcs)
    ud = userdata.read(reader, coding.encoding, bool(first & _UDHI))
    return Sms(
        type="deliver",
        number=number,
        timestamp=timestamp,
        smsc=smsc,
        pid=pid,
        dcs=dcs,
        message_class=coding.message_class,
        status_report_requested=bool(first & _SRR),
        **_content(ud, coding.encoding),
    )


def _submit(reader: Reader, first: int, smsc: str | None) -> Sms:
    message_reference = reader.octet("TP-MR")
    number = fields.read_address(reader, "destination address")
    pid, dcs = reader.octet("TP-PID"), reader.octet("TP-DCS")
    validity = _validity(reader, (first >> 3) & 0x03)
    coding = userdata.coding(dcs)
    ud = userdata.read(reader, coding.encoding, bool(first & _UDHI))
    return Sms(
        type="submit",
        number=number,
        timestamp=None,
        smsc=smsc,
        pid=pid,
        dcs=dcs,
        message_class=coding.message_class,
        status_report_requested=bool(first & _SRR),
        message_reference=message_reference,
        validity=validity,
        **_content(ud, coding.encoding),
    )


def _validity(reader: Reader, vpf: int) -> timedelta | datetime | None:
    """TP-VP by TP-VPF: 0 absent, 2 relative (1 octet), 1 enhanced and 3 absolute (7)."""
    if vpf == 0b10:
        return fields.relative_validity(reader.octet("TP-VP"))
    if vpf == 0b01:
        return fields.enhanced_validity(reader.take(7, "TP-VP"))
    if vpf == 0b11:
        return fields.read_timestamp(reader, "TP-VP")
    return None


def _status_report(reader: Reader, first: int, smsc: str | None) -> Sms:
    message_reference = reader.octet("TP-MR")
    number = fields.read_address(reader, "recipient address")
    timestamp = fields.read_timestamp(reader, "TP-SCTS")
    discharge_time = fields.read_timestamp(reader, "TP-DT")
    status = reader.octet("TP-ST")
    pid, dcs, ud = _report_extras(reader, first)
    coding = userdata.coding(dcs)
    return Sms(
        type="status_report",
        number=number,
        timestamp=timestamp,
        smsc=smsc,
        pid=pid,
        dcs=dcs,
        message_class=coding.message_class,
        message_reference=message_reference,
        reference=message_reference,
        status=status,
        discharge_time=discharge_time,
        delivered=status <= 0x1F,
        **_content(ud, coding.encoding),
    )


def _report_extras(reader: Reader, first: int) -> tuple[int, int, UserData]:
    """The optional TP-PI and the TP-PID, TP-DCS and user data it announces."""
    pid, dcs, ud = 0, 0, UserData((), b"", "")
    if not reader.remaining():
        return pid, dcs, ud
    indicator = reader.octet("TP-PI")
    if indicator & 0x01:
        pid = reader.octet("TP-PID")
    if indicator & 0x02:
        dcs = reader.octet("TP-DCS")
    if indicator & 0x04:
        ud = userdata.read(reader, userdata.coding(dcs).encoding, bool(first & _UDHI))
    return pid, dcs, ud


class _Content(TypedDict):
    text: str
    encoding: Encoding
    data: bytes
    udh: Udh | None
    information_elements: tuple[tuple[int, bytes], ...]


def _content(ud: UserData, encoding: Encoding) -> _Content:
    return _Content(
        text=ud.text,
        encoding=encoding,
        data=ud.data,
        udh=_concatenation(ud.elements),
        information_elements=ud.elements,
    )


def _concatenation(elements: tuple[tuple[int, bytes], ...]) -> Udh | None:
    for iei, value in elements:
        if iei == userdata.IEI_CONCAT_8BIT and len(value) == 3:
            reference, parts, sequence = value
        elif iei == userdata.IEI_CONCAT_16BIT and len(value) == 4:
            reference, (parts, sequence) = int.from_bytes(value[:2], "big"), value[2:]
        else:
            continue
        if parts and 1 <= sequence <= parts:
            return Udh(reference=reference, parts=parts, sequence=sequence, iei=iei)
    return None


def submit_length(pdu_hex: str) -> int:
    """The TPDU length in octets, the PDU without its SMSC information: ``AT+CMGS=<n>``."""
    data = _octets(pdu_hex)
    if not data:
        raise PduError("empty PDU")
    smsc_octets = 1 + data[0]
    if smsc_octets > len(data):
        raise PduError(f"SMSC information ({smsc_octets} octets) overruns the PDU")
    return len(data) - smsc_octets


# --- encoding --------------------------------------------------------------------------------


def encode_submit(
    number: str,
    text: str,
    *,
    status_report: bool = False,
    reference: int = 0,
    ref16: bool = False,
) -> list[str]:
    """SMS-SUBMIT PDUs for ``text`` to ``number`` (``+<digits>`` or national digits).

    One PDU per part, each starting with ``00`` (use the modem's SMSC). ``reference`` is the
    concatenation reference of a multipart message (masked to 8 bits, or 16 with ``ref16``);
    TP-MR is 0, the modem assigns it. ``status_report`` sets TP-SRR. Raises PduError for a
    destination that is not a number (an alphanumeric destination cannot be sent to).
    """
    destination = fields.encode_address(number)
    encoding, parts = userdata.encode(text, reference=reference, ref16=ref16)
    first = _MTI_SUBMIT | _VPF_RELATIVE | (_SRR if status_report else 0)
    return [
        _hex(
            fields.encode_smsc(None),
            bytes([first | (_UDHI if part.has_header else 0), 0x00]),
            destination,
            bytes([0x00, _DCS[encoding], VALIDITY_4_DAYS, part.length]),
            part.data,
        )
        for part in parts
    ]


def encode_deliver(
    sender: str,
    text: str,
    *,
    timestamp: datetime,
    reference: int = 0,
    smsc: str | None = DEFAULT_SMSC,
    ref16: bool = False,
) -> list[str]:
    """SMS-DELIVER PDUs (with SMSC information) as the modem would store an inbound message.

    ``sender`` is ``+<digits>``, national digits, or an alphanumeric name of up to 11 GSM
    septets ("T-Mobile"). ``timestamp`` must be timezone-aware, its offset whole quarter hours.
    """
    origin = fields.encode_address(sender, alphanumeric=True)
    scts = fields.encode_timestamp(timestamp)
    encoding, parts = userdata.encode(text, reference=reference, ref16=ref16)
    return [
        _hex(
            fields.encode_smsc(smsc),
            bytes([_MTI_DELIVER | _NO_MORE_MESSAGES | (_UDHI if part.has_header else 0)]),
            origin,
            bytes([0x00, _DCS[encoding]]),
            scts,
            bytes([part.length]),
            part.data,
        )
        for part in parts
    ]


def encode_status_report(
    recipient: str,
    reference: int,
    status: int,
    *,
    timestamp: datetime,
    discharge_time: datetime,
    smsc: str | None = DEFAULT_SMSC,
) -> str:
    """An SMS-STATUS-REPORT PDU (with SMSC information) for the message with TP-MR
    ``reference`` to ``recipient``; ``status`` is TP-ST (0x00: received by the recipient)."""
    for name, value in (("reference", reference), ("status", status)):
        if not 0 <= value <= 0xFF:
            raise PduError(f"status report {name} {value} is not an octet (0-255)")
    return _hex(
        fields.encode_smsc(smsc),
        bytes([_MTI_STATUS_REPORT | _NO_MORE_MESSAGES, reference]),
        fields.encode_address(recipient),
        fields.encode_timestamp(timestamp),
        fields.encode_timestamp(discharge_time),
        bytes([status]),
    )


def _hex(*chunks: bytes) -> str:
    return b"".join(chunks).hex().upper()
