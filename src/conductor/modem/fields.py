"""TPDU fields shared by the PDU decoder and encoders (3GPP TS 23.040 9.1.2 and 9.2.3).

Addresses (semi-octet numbers and alphanumeric names), the SMSC information, service centre
time stamps and validity periods, each with its decoder (reading from a ``Reader``) and its
encoder (returning octets). Decoders raise ``PduError``; encoders raise ``PduError`` for
values that cannot be represented.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conductor.modem import gsm7
from conductor.modem.errors import PduError

# Semi-octet digits (TS 23.040 9.1.2.3); 0xF is the filler of an odd-length number.
_DIGITS = "0123456789*#abc"
_FILLER = 0xF

TON_INTERNATIONAL = 1
TON_ALPHANUMERIC = 5
TOA_INTERNATIONAL = 0x91  # TON 1 (international), NPI 1 (ISDN/E.164)
TOA_UNKNOWN = 0x81  # TON 0 (unknown: national or short code as dialled), NPI 1
TOA_ALPHANUMERIC = 0xD0  # TON 5, NPI 0

MAX_ADDRESS_DIGITS = 20  # 10 octets of semi-octets
MAX_ALPHANUMERIC_SEPTETS = 11  # 77 bits fit the same 10 octets


class Reader:
    """Reads octets off a PDU, raising PduError instead of running past its end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def octet(self, what: str) -> int:
        return self.take(1, what)[0]

    def take(self, count: int, what: str) -> bytes:
        end = self.pos + count
        if count < 0 or end > len(self.data):
            raise PduError(
                f"PDU truncated: {what} needs {count} octet(s) at offset {self.pos}, "
                f"{len(self.data) - self.pos} left"
            )
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def remaining(self) -> int:
        return len(self.data) - self.pos


# --- numbers and addresses -------------------------------------------------------------------


def decode_semi_octets(data: bytes, digits: int | None = None) -> str:
    """Swapped-nibble BCD to digits, stopping after ``digits`` or at the filler."""
    chars: list[str] = []
    for octet in data:
        for nibble in (octet & 0x0F, octet >> 4):
            if nibble == _FILLER or (digits is not None and len(chars) == digits):
                return "".join(chars)
            chars.append(_DIGITS[nibble])
    return "".join(chars)


def encode_semi_octets(digits: str) -> bytes:
    nibbles = [_DIGITS.index(char) for char in digits]
    if len(nibbles) % 2:
        nibbles.append(_FILLER)
    return bytes(low | high << 4 for low, high in zip(nibbles[::2], nibbles[1::2], strict=True))


def _number_text(toa: int, digits: str) -> str:
    is_international = (toa >> 4) & 0x07 == TON_INTERNATIONAL
    return f"+{digits}" if is_international and digits else digits


def read_address(reader: Reader, what: str) -> str:
    """An address field (TP-OA, TP-DA, TP-RA): length in semi-octets, type, value."""
    length = reader.octet(f"{what} length")
    toa = reader.octet(f"{what} type")
    value = reader.take((length + 1) // 2, what)
    if (toa >> 4) & 0x07 == TON_ALPHANUMERIC:
        return gsm7.decode(gsm7.unpack(value, length * 4 // 7))
    return _number_text(toa, decode_semi_octets(value, length))


def read_smsc(reader: Reader) -> str | None:
    """The SMSC information in front of a TPDU: length in octets (0: none), type, number."""
    length = reader.octet("SMSC length")
    if length == 0:
        return None
    toa = reader.octet("SMSC type")
    digits = decode_semi_octets(reader.take(length - 1, "SMSC number"))
    return _number_text(toa, digits) or None


def encode_number(number: str, what: str) -> tuple[int, bytes]:
    """``+<digits>`` or ``<digits>`` to its type of address and semi-octets."""
    digits = number[1:] if number.startswith("+") else number
    if not digits.isascii() or not digits.isdigit():
        raise PduError(f"{what} {number!r} is not a phone number (+<digits> or <digits>)")
    if len(digits) > MAX_ADDRESS_DIGITS:
        raise PduError(f"{what} {number!r} has more than {MAX_ADDRESS_DIGITS} digits")
    toa = TOA_INTERNATIONAL if number.startswith("+") else TOA_UNKNOWN
    return toa, encode_semi_octets(digits)


def encode_address(number: str, *, alphanumeric: bool = False) -> bytes:
    """An address field for a phone number, or (if allowed) an alphanumeric name."""
    if alphanumeric and not _looks_like_number(number):
        return _encode_alphanumeric(number)
    toa, value = encode_number(number, "address")
    digit_count = len(number) - number.startswith("+")
    return bytes([digit_count, toa]) + value


def _looks_like_number(text: str) -> bool:
    digits = text[1:] if text.startswith("+") else text
    return digits.isascii() and digits.isdigit()


def _encode_alphanumeric(name: str) -> bytes:
    if not name or not gsm7.can_encode(name):
        raise PduError(f"sender {name!r} is neither a number nor a GSM 7-bit name")
    septets = gsm7.encode(name)
    if len(septets) > MAX_ALPHANUMERIC_SEPTETS:
        raise PduError(f"sender {name!r} is longer than {MAX_ALPHANUMERIC_SEPTETS} septets")
    semi_octets = (len(septets) * 7 + 3) // 4
    return bytes([semi_octets, TOA_ALPHANUMERIC]) + gsm7.pack(septets)


def encode_smsc(smsc: str | None) -> bytes:
    """The SMSC information field; ``00`` (use the SMSC stored in the modem) for None."""
    if smsc is None:
        return b"\x00"
    toa, value = encode_number(smsc, "SMSC")
    return bytes([len(value) + 1, toa]) + value


# --- time stamps and validity periods --------------------------------------------------------


def _bcd(octet: int, what: str) -> int:
    low, high = octet & 0x0F, octet >> 4
    if low > 9 or high > 9:
        raise PduError(f"{what}: {octet:02X} is not a swapped BCD value")
    return low * 10 + high


# A zone octet of 0x08 reads as "minus zero quarters", which no correct encoder writes; it is
# what senders that forget to swap the nibbles of +08 quarters produce (the classic "How are
# you?" example: a Dutch number in August, CEST), so it is read as +02:00.
_UNSWAPPED_PLUS_TWO_HOURS = 0x08


def read_timestamp(reader: Reader, what: str) -> datetime:
    """A 7-octet time stamp (TS 23.040 9.2.3.11): local time and its offset in quarter
    hours, bit 3 of the zone octet its sign. Years are read as 2000-2099."""
    octets = reader.take(7, what)
    year, month, day, hour, minute, second = (_bcd(octet, what) for octet in octets[:6])
    zone = octets[6]
    quarters = _bcd(zone & 0xF7, what)
    if zone == _UNSWAPPED_PLUS_TWO_HOURS:
        quarters = 8
    elif zone & 0x08:
        quarters = -quarters
    try:
        offset = timezone(timedelta(minutes=15 * quarters))
        return datetime(2000 + year, month, day, hour, minute, second, tzinfo=offset)
    except ValueError as exc:
        raise PduError(f"{what}: {octets.hex().upper()} is not a valid time: {exc}") from exc


def encode_timestamp(moment: datetime) -> bytes:
    """An aware datetime to a time stamp; its UTC offset must be whole quarter hours."""
    offset = moment.utcoffset()
    if offset is None:
        raise PduError("a PDU time stamp needs a timezone-aware datetime")
    quarters, rest = divmod(int(offset.total_seconds()), 15 * 60)
    if rest or not -79 <= quarters <= 79:
        raise PduError(f"UTC offset {offset} is not a whole number of quarter hours")
    if not 2000 <= moment.year <= 2099:
        raise PduError(f"year {moment.year} cannot be put in a PDU time stamp (2000-2099)")
    fields = (moment.year - 2000, moment.month, moment.day, moment.hour, moment.minute)
    octets = [_swapped(value) for value in (*fields, moment.second)]
    zone = _swapped(abs(quarters)) | (0x08 if quarters < 0 else 0)
    return bytes([*octets, zone])


def _swapped(value: int) -> int:
    return (value % 10) << 4 | value // 10


def relative_validity(octet: int) -> timedelta:
    """TP-VP in relative format (TS 23.040 9.2.3.12.1)."""
    if octet <= 143:
        return timedelta(minutes=5 * (octet + 1))
    if octet <= 167:
        return timedelta(hours=12, minutes=30 * (octet - 143))
    if octet <= 196:
        return timedelta(days=octet - 166)
    return timedelta(weeks=octet - 192)


def enhanced_validity(octets: bytes) -> timedelta | None:
    """TP-VP in enhanced format (TS 23.040 9.2.3.12.3); None when absent or reserved."""
    kind = octets[0] & 0x07
    if kind == 1:
        return relative_validity(octets[1])
    if kind == 2:
        return timedelta(seconds=octets[1])
    if kind == 3:
        hours, minutes, seconds = (_bcd(octet, "enhanced validity") for octet in octets[1:4])
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return None
