"""User data: the data coding scheme, the user data header and the message text.

Decoding turns TP-DCS, TP-UDL and TP-UD into an alphabet, header elements and text. Encoding
chooses an alphabet for a text and splits it into parts that fit one PDU each (TS 23.040
9.2.3.24 and TS 23.038 4). Internal to ``conductor.modem.pdu``, which publishes the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conductor.modem import gsm7
from conductor.modem.errors import PduError
from conductor.modem.fields import Reader

Encoding = Literal["gsm7", "8bit", "ucs2"]

IEI_CONCAT_8BIT = 0x00  # concatenated short messages, 8-bit reference
IEI_CONCAT_16BIT = 0x08  # concatenated short messages, 16-bit reference

MAX_UD_OCTETS = 140
MAX_PARTS = 255


@dataclass(frozen=True)
class Coding:
    """What a TP-DCS octet says about the user data."""

    encoding: Encoding
    message_class: int | None


@dataclass(frozen=True)
class UserData:
    """Decoded user data: the header's elements and the payload after it."""

    elements: tuple[tuple[int, bytes], ...]
    data: bytes  # octets (8-bit, UCS-2) or one byte per septet (GSM 7-bit)
    text: str


def coding(dcs: int) -> Coding:
    """Interpret TP-DCS (TS 23.038 4); reserved alphabets are taken as GSM 7-bit."""
    group = dcs >> 4
    if group <= 0x7:  # general data coding, possibly marked for automatic deletion
        klass = dcs & 0x03 if dcs & 0x10 else None
        if dcs & 0x20:  # compressed (TS 23.042): not decompressed, kept as octets
            return Coding("8bit", klass)
        alphabet = (dcs >> 2) & 0x03
        return Coding(("gsm7", "8bit", "ucs2", "gsm7")[alphabet], klass)
    if group == 0xE:  # message waiting indication, store, UCS-2
        return Coding("ucs2", None)
    if group == 0xF:  # data coding / message class
        return Coding("8bit" if dcs & 0x04 else "gsm7", dcs & 0x03)
    return Coding("gsm7", None)  # 0x8-0xB reserved, 0xC-0xD message waiting in GSM 7-bit


def read(reader: Reader, encoding: Encoding, has_header: bool) -> UserData:
    """TP-UDL and TP-UD, with the header when TP-UDHI is set."""
    length = reader.octet("user data length")
    if encoding == "gsm7":
        octets = reader.take((7 * length + 7) // 8, "user data")
    else:
        octets = reader.take(length, "user data")
    elements: tuple[tuple[int, bytes], ...] = ()
    header_octets = 0
    if has_header:
        header_octets = 1 + octets[0] if octets else 1
        if header_octets > len(octets):
            raise PduError(f"user data header ({header_octets} octets) overruns the user data")
        elements = _read_elements(Reader(octets[1:header_octets]))
    if encoding == "gsm7":
        return _gsm7_payload(octets, length, header_octets, elements)
    payload = octets[header_octets:]
    return UserData(elements, payload, _octet_text(payload, encoding))


def _read_elements(reader: Reader) -> tuple[tuple[int, bytes], ...]:
    elements: list[tuple[int, bytes]] = []
    while reader.remaining():
        iei = reader.octet("header element identifier")
        size = reader.octet("header element length")
        elements.append((iei, reader.take(size, f"header element {iei:#04x}")))
    return tuple(elements)


def _gsm7_payload(
    octets: bytes, length: int, header_octets: int, elements: tuple[tuple[int, bytes], ...]
) -> UserData:
    header_septets = (8 * header_octets + 6) // 7
    if header_septets > length:
        raise PduError(f"user data header ({header_octets} octets) exceeds UDL {length}")
    septets = gsm7.unpack(octets, length)[header_septets:]
    return UserData(elements, bytes(septets), gsm7.decode(septets))


def _octet_text(payload: bytes, encoding: Encoding) -> str:
    if encoding == "8bit":
        return payload.decode("latin-1")
    if len(payload) % 2:
        raise PduError(f"UCS-2 user data has an odd number of octets ({len(payload)})")
    try:
        return payload.decode("utf-16-be")
    except UnicodeDecodeError as exc:
        raise PduError(f"UCS-2 user data is not valid UTF-16: {exc}") from exc


# --- encoding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EncodedPart:
    """One part's TP-UDL and TP-UD, and whether TP-UDHI must be set."""

    length: int
    data: bytes
    has_header: bool


def encode(text: str, *, reference: int, ref16: bool) -> tuple[Encoding, list[EncodedPart]]:
    """Choose GSM 7-bit or UCS-2 for ``text`` and split it into parts of one PDU each.

    A single part holds 160 septets or 70 UCS-2 code units. Longer texts get a concatenation
    header (6 octets with an 8-bit reference, 7 with a 16-bit one), leaving 153 (152) septets or
    67 (66) code units per part. A character is never split: an extension character's escape
    stays with its code and an astral character's surrogate pair stays together.
    """
    header_octets = 7 if ref16 else 6
    encoding: Encoding
    if gsm7.can_encode(text):
        encoding = "gsm7"  # units: one byte per septet, limits in septets
        units = [bytes(gsm7.encode(char)) for char in text]
        single, multi = 160, (8 * (MAX_UD_OCTETS - header_octets)) // 7
    else:
        encoding = "ucs2"  # units: UTF-16-BE octets, limits in octets
        units = [char.encode("utf-16-be") for char in text]
        single, multi = MAX_UD_OCTETS, MAX_UD_OCTETS - header_octets
    groups = _split(units, single, multi)
    if len(groups) > MAX_PARTS:
        raise PduError(f"text needs {len(groups)} parts, more than {MAX_PARTS}")
    if len(groups) == 1:
        return encoding, [_encode_part(encoding, groups[0], b"")]
    parts = [
        _encode_part(encoding, group, _concat_header(reference, ref16, len(groups), sequence))
        for sequence, group in enumerate(groups, start=1)
    ]
    return encoding, parts


def _split(units: list[bytes], single: int, multi: int) -> list[bytes]:
    """Group whole units: all in one if they fit ``single``, else greedily by ``multi``."""
    if sum(len(unit) for unit in units) <= single:
        return [b"".join(units)]
    groups: list[bytes] = []
    current = bytearray()
    for unit in units:
        if len(current) + len(unit) > multi:
            groups.append(bytes(current))
            current.clear()
        current += unit
    groups.append(bytes(current))
    return groups


def _concat_header(reference: int, ref16: bool, parts: int, sequence: int) -> bytes:
    if ref16:
        element = bytes([IEI_CONCAT_16BIT, 4, *(reference & 0xFFFF).to_bytes(2, "big")])
    else:
        element = bytes([IEI_CONCAT_8BIT, 3, reference & 0xFF])
    element += bytes([parts, sequence])
    return bytes([len(element)]) + element


def _encode_part(encoding: Encoding, payload: bytes, header: bytes) -> EncodedPart:
    if encoding == "ucs2":
        data = header + payload
        return EncodedPart(len(data), data, bool(header))
    fill_bits = (7 - (8 * len(header)) % 7) % 7
    header_septets = (8 * len(header) + fill_bits) // 7
    data = header + gsm7.pack(list(payload), fill_bits)
    return EncodedPart(header_septets + len(payload), data, bool(header))
