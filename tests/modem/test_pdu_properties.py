"""Properties of the PDU codec: round trips, part limits, and no crash on any input."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conductor.modem import gsm7
from conductor.modem.errors import PduError
from conductor.modem.pdu import Sms, decode, encode_deliver, encode_status_report, encode_submit

EXTENSION_CHARS = "".join(gsm7.EXTENSION.values())
GSM_CHARS = "".join(sorted(set(gsm7.BASIC) - {"\x1b"})) + EXTENSION_CHARS
EMOJI = "😀👍🏽❤️🇺🇸👨‍👩‍👧🤖𝄞"

gsm_texts = st.text(alphabet=st.sampled_from(GSM_CHARS), max_size=400)
unicode_texts = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs",)),  # no lone surrogates
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
        st.sampled_from(EMOJI),
    ),
    max_size=200,
)
numbers = st.from_regex(r"\+?[0-9]{1,20}", fullmatch=True)
alphanumeric_senders = st.text(alphabet=st.sampled_from(GSM_CHARS), min_size=1, max_size=11).filter(
    lambda name: len(gsm7.encode(name)) <= 11 and not name.lstrip("+").isdigit()
)
zones = st.integers(min_value=-79, max_value=79).map(
    lambda quarters: timezone(timedelta(minutes=15 * quarters))
)
# Local times of the years a PDU time stamp holds; hypothesis takes the bounds naive.
timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2099, 12, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=zones,
).map(lambda moment: moment.replace(microsecond=0))
fast = settings(max_examples=200, deadline=None)


def septet_count(text: str) -> int:
    return sum(2 if char in EXTENSION_CHARS else 1 for char in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-be")) // 2


def user_data_octets(pdu: str) -> bytes:
    """TP-UD of an SMS-SUBMIT from encode_submit (no SMSC, relative validity)."""
    data = bytes.fromhex(pdu)
    address_octets = 2 + (data[3] + 1) // 2
    return data[3 + address_octets + 4 :]  # after TP-PID, TP-DCS, TP-VP and TP-UDL


def check_parts(parts: list[Sms], text: str, reference: int, mask: int) -> None:
    assert "".join(part.text for part in parts) == text
    if len(parts) == 1:
        assert parts[0].udh is None
        return
    for sequence, part in enumerate(parts, start=1):
        assert part.udh is not None
        assert (part.udh.reference, part.udh.parts, part.udh.sequence) == (
            reference & mask,
            len(parts),
            sequence,
        )


@fast
@given(number=numbers, text=gsm_texts, reference=st.integers(0, 0xFFFF))
@example(number="+15551234567", text="a" * 160, reference=1)
@example(number="+15551234567", text="a" * 161, reference=1)
@example(number="+15551234567", text="€" * 77, reference=1)
def test_gsm_texts_round_trip_through_submit(number: str, text: str, reference: int) -> None:
    pdus = encode_submit(number, text, reference=reference)
    parts = [decode(pdu) for pdu in pdus]
    check_parts(parts, text, reference, 0xFF)
    assert all(part.encoding == "gsm7" and part.number == number for part in parts)
    septets = septet_count(text)
    if septets <= 160:
        assert len(parts) == 1
    else:
        assert all(len(part.data) <= 153 for part in parts)
        assert len(parts) >= math.ceil(septets / 153)
        if not set(text) & set(EXTENSION_CHARS):
            assert len(parts) == math.ceil(septets / 153)
    assert all(not part.data.endswith(b"\x1b") for part in parts)  # no split escape
    assert all(len(user_data_octets(pdu)) <= 140 for pdu in pdus)


@fast
@given(number=numbers, text=unicode_texts, reference=st.integers(0, 0xFFFF))
@example(number="+15551234567", text="😀" * 36, reference=7)
def test_any_text_round_trips_through_submit(number: str, text: str, reference: int) -> None:
    pdus = encode_submit(number, text, reference=reference, ref16=True)
    parts = [decode(pdu) for pdu in pdus]
    check_parts(parts, text, reference, 0xFFFF)
    assert all(len(user_data_octets(pdu)) <= 140 for pdu in pdus)
    if gsm7.can_encode(text):
        return
    assert all(part.encoding == "ucs2" for part in parts)
    units = utf16_units(text)
    if units <= 70:
        assert len(parts) == 1
    else:
        assert all(utf16_units(part.text) <= 66 for part in parts)
        assert len(parts) >= math.ceil(units / 66)
        if units == len(text):  # no astral characters
            assert len(parts) == math.ceil(units / 66)


@fast
@given(
    before=st.text(alphabet="xyzж", max_size=140),
    emoji=st.lists(st.sampled_from(["😀", "🤖", "𝄞", "👍🏽"]), min_size=1, max_size=80),
)
def test_an_emoji_is_never_split_across_parts(before: str, emoji: list[str]) -> None:
    text = before + "".join(emoji)
    for pdu in encode_submit("+15551234567", text):
        data = decode(pdu).data  # decoding would fail on half a surrogate pair
        assert not 0xD800 <= int.from_bytes(data[-2:], "big") <= 0xDBFF


@fast
@given(
    sender=st.one_of(numbers, alphanumeric_senders),
    text=st.one_of(gsm_texts, unicode_texts),
    timestamp=timestamps,
    reference=st.integers(0, 0xFF),
)
def test_inbound_messages_round_trip_through_deliver(
    sender: str, text: str, timestamp: datetime, reference: int
) -> None:
    pdus = encode_deliver(sender, text, timestamp=timestamp, reference=reference)
    parts = [decode(pdu) for pdu in pdus]
    check_parts(parts, text, reference, 0xFF)
    for part in parts:
        assert (part.type, part.number, part.timestamp) == ("deliver", sender, timestamp)
        assert part.timestamp is not None
        assert part.timestamp.utcoffset() == timestamp.utcoffset()


@fast
@given(
    recipient=numbers,
    reference=st.integers(0, 0xFF),
    status=st.integers(0, 0xFF),
    timestamp=timestamps,
    delay=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
)
def test_status_reports_round_trip(
    recipient: str, reference: int, status: int, timestamp: datetime, delay: timedelta
) -> None:
    discharge = (timestamp + delay).replace(microsecond=0)
    if discharge.year > 2099:
        return
    sms = decode(
        encode_status_report(
            recipient, reference, status, timestamp=timestamp, discharge_time=discharge
        )
    )
    assert (sms.number, sms.reference, sms.status) == (recipient, reference, status)
    assert (sms.timestamp, sms.discharge_time) == (timestamp, discharge)
    assert sms.delivered is (status <= 0x1F)


def decodes_or_refuses(pdu: str, *, smsc: bool) -> None:
    try:
        sms = decode(pdu, smsc=smsc)
    except PduError:
        return
    assert isinstance(sms, Sms)
    assert isinstance(sms.text, str)
    sms.text.encode("utf-8")  # storable: no lone surrogates


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200), smsc=st.booleans())
def test_any_bytes_decode_or_raise_pdu_error(data: bytes, smsc: bool) -> None:
    decodes_or_refuses(data.hex(), smsc=smsc)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(gsm_texts, unicode_texts),
    cut=st.integers(0, 400),
    edits=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4),
    smsc=st.booleans(),
)
def test_damaged_pdus_decode_or_raise_pdu_error(
    text: str, cut: int, edits: list[tuple[int, int]], smsc: bool
) -> None:
    pdu = bytearray.fromhex(
        encode_deliver("+15551234567", text, timestamp=datetime(2024, 1, 1, tzinfo=UTC))[0]
    )
    for position, value in edits:
        if position < len(pdu):
            pdu[position] = value
    damaged = bytes(pdu[: len(pdu) - cut % (len(pdu) + 1)])
    decodes_or_refuses(damaged.hex(), smsc=smsc)
