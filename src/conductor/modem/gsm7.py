"""The GSM 7-bit default alphabet (3GPP TS 23.038 6.2.1) and septet packing (6.1.2.1).

A character of the default alphabet is one septet; a character of the extension table is two,
the escape 0x1B and its code. National language shift tables (single or locking shift,
TS 23.038 annex A) are not implemented: text using them decodes with the default tables.

Packing is little-endian: septet *n* starts at bit ``fill + 7 * n`` of the octet string, so the
fill bits that align septets after a user data header are the low bits of the first octet.
"""

from __future__ import annotations

ESCAPE = 0x1B

# Code points 0x00-0x7F; 0x1B (escape) is a placeholder and never produced by decoding.
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}

_BASIC_CODES = {char: code for code, char in enumerate(BASIC) if code != ESCAPE}
_EXTENSION_CODES = {char: code for code, char in EXTENSION.items()}


def char_septets(char: str) -> tuple[int, ...] | None:
    """The septets encoding one character, or None if the alphabet cannot encode it."""
    code = _BASIC_CODES.get(char)
    if code is not None:
        return (code,)
    code = _EXTENSION_CODES.get(char)
    if code is not None:
        return (ESCAPE, code)
    return None


def can_encode(text: str) -> bool:
    """True if every character is in the default alphabet or its extension table."""
    return all(char in _BASIC_CODES or char in _EXTENSION_CODES for char in text)


def encode(text: str) -> list[int]:
    """Text to septets; raises ValueError for a character outside the alphabet."""
    septets: list[int] = []
    for char in text:
        codes = char_septets(char)
        if codes is None:
            raise ValueError(f"{char!r} is not in the GSM 7-bit alphabet")
        septets.extend(codes)
    return septets


def decode(septets: list[int]) -> str:
    """Septets to text.

    An escape before a code the extension table does not define yields the default
    alphabet's character for that code (TS 23.038 6.2.1.1); an escape before another escape,
    or at the very end, yields a space.
    """
    chars: list[str] = []
    escaped = False
    for septet in septets:
        if escaped:
            escaped = False
            if septet == ESCAPE:
                chars.append(" ")
            else:
                chars.append(EXTENSION.get(septet, BASIC[septet]))
        elif septet == ESCAPE:
            escaped = True
        else:
            chars.append(BASIC[septet])
    if escaped:
        chars.append(" ")
    return "".join(chars)


def pack(septets: list[int], fill_bits: int = 0) -> bytes:
    """Pack septets into octets, after ``fill_bits`` zero bits."""
    value = 0
    for index, septet in enumerate(septets):
        value |= (septet & 0x7F) << (fill_bits + 7 * index)
    total_bits = fill_bits + 7 * len(septets)
    return value.to_bytes((total_bits + 7) // 8, "little")


def unpack(data: bytes, count: int, fill_bits: int = 0) -> list[int]:
    """The first ``count`` septets packed in ``data`` after ``fill_bits`` bits.

    Raises ValueError if ``data`` is too short to hold them.
    """
    needed = (fill_bits + 7 * count + 7) // 8
    if len(data) < needed:
        raise ValueError(f"{count} septets need {needed} octets, only {len(data)} present")
    value = int.from_bytes(data[:needed], "little") >> fill_bits
    return [(value >> (7 * index)) & 0x7F for index in range(count)]
