"""Encoding choices of the PDU codec, and what it refuses, decoding or encoding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from conductor.modem import gsm7
from conductor.modem.errors import ModemError, PduError
from conductor.modem.pdu import (
    Udh,
    decode,
    encode_deliver,
    encode_status_report,
    encode_submit,
    submit_length,
)

NUMBER = "+15551234567"
T0 = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=-4)))


def texts(pdus: list[str]) -> list[str]:
    return [decode(pdu).text for pdu in pdus]


# --- SMS-SUBMIT ---------------------------------------------------------------------------------


def test_a_submit_uses_the_modems_smsc_a_zero_reference_and_four_days_validity() -> None:
    (pdu,) = encode_submit(NUMBER, "hi")
    assert pdu.startswith("00" + "11" + "00")  # no SMSC, SUBMIT with relative VP, TP-MR 0
    sms = decode(pdu)
    assert (sms.smsc, sms.message_reference, sms.validity) == (None, 0, timedelta(days=4))
    assert (sms.number, sms.text, sms.encoding, sms.udh) == (NUMBER, "hi", "gsm7", None)


def test_a_status_report_request_sets_tp_srr() -> None:
    assert decode(encode_submit(NUMBER, "hi", status_report=True)[0]).status_report_requested
    assert not decode(encode_submit(NUMBER, "hi")[0]).status_report_requested


def test_a_national_number_keeps_its_digits_with_type_unknown() -> None:
    (pdu,) = encode_submit("5551234", "hi")
    assert "0781" in pdu  # 7 digits, TON unknown / NPI ISDN
    assert decode(pdu).number == "5551234"


@pytest.mark.parametrize(
    "number", ["T-Mobile", "", "+", "555-1234", "+1 555", "\uff11\uff12", "1" * 21]
)
def test_a_submit_to_anything_but_a_number_is_refused(number: str) -> None:
    with pytest.raises(PduError):
        encode_submit(number, "hi")


def test_an_empty_text_is_one_empty_part() -> None:
    (pdu,) = encode_submit(NUMBER, "")
    assert pdu.endswith("AA00")
    assert decode(pdu).text == ""


@pytest.mark.parametrize(
    ("text", "lengths"),
    [
        ("a" * 160, [160]),
        ("a" * 161, [153, 8]),
        ("€" * 80, [80]),  # 160 septets
        ("€" * 81, [76, 5]),  # an escape and its code stay together: 152 + 10 septets
        ("é" * 160, [160]),  # é is in the default alphabet
        ("ж" * 70, [70]),
        ("ж" * 71, [67, 4]),
        ("😀" * 35, [35]),  # 70 UTF-16 code units
        ("😀" * 36, [33, 3]),  # a surrogate pair is never split: 66 + 6 units
    ],
)
def test_texts_split_at_the_published_limits(text: str, lengths: list[int]) -> None:
    assert [len(part) for part in texts(encode_submit(NUMBER, text))] == lengths


def test_gsm7_is_chosen_only_when_every_character_fits() -> None:
    assert decode(encode_submit(NUMBER, "[€] {ok}")[0]).encoding == "gsm7"
    assert decode(encode_submit(NUMBER, "ça va")[0]).encoding == "ucs2"  # ç is not, Ç is
    assert decode(encode_submit(NUMBER, "Ça va")[0]).encoding == "gsm7"


def test_an_escape_sequence_is_not_split_across_parts() -> None:
    pdus = encode_submit(NUMBER, "a" * 152 + "€" + "b" * 10)  # 165 septets: two parts
    assert texts(pdus) == ["a" * 152, "€" + "b" * 10]


def test_an_emoji_is_not_split_across_parts() -> None:
    pdus = encode_submit(NUMBER, "x" * 66 + "😀" + "y" * 10)
    assert texts(pdus) == ["x" * 66, "😀" + "y" * 10]
    assert pdus[1].endswith("D83DDE00" + "0079" * 10)  # U+1F600 as a UTF-16 surrogate pair


def test_multipart_headers_carry_the_reference_masked_to_eight_bits() -> None:
    pdus = encode_submit(NUMBER, "a" * 400, reference=0x1234)
    assert [decode(pdu).udh for pdu in pdus] == [
        Udh(reference=0x34, parts=3, sequence=sequence, iei=0x00) for sequence in (1, 2, 3)
    ]
    assert all(decode(pdu).message_reference == 0 for pdu in pdus)


def test_a_sixteen_bit_reference_leaves_152_septets_or_66_units_per_part() -> None:
    pdus = encode_submit(NUMBER, "a" * 305, reference=0x1234, ref16=True)
    assert [decode(pdu).udh for pdu in pdus] == [
        Udh(reference=0x1234, parts=3, sequence=sequence, iei=0x08) for sequence in (1, 2, 3)
    ]
    assert [len(text) for text in texts(pdus)] == [152, 152, 1]
    assert [len(text) for text in texts(encode_submit(NUMBER, "ж" * 67, ref16=True))] == [67]
    assert [len(t) for t in texts(encode_submit(NUMBER, "ж" * 71, ref16=True))] == [66, 5]


def test_a_text_needing_more_than_255_parts_is_refused() -> None:
    assert len(encode_submit(NUMBER, "a" * 153 * 255)) == 255
    with pytest.raises(PduError, match="255"):
        encode_submit(NUMBER, "a" * (153 * 255 + 1))


def test_submit_length_is_the_pdu_without_its_smsc_octet() -> None:
    for pdu in encode_submit(NUMBER, "a" * 200):
        assert submit_length(pdu) == len(pdu) // 2 - 1
    (deliver,) = encode_deliver(NUMBER, "hi", timestamp=T0)
    assert submit_length(deliver) == len(deliver) // 2 - 8  # 07 91 + 6 octets of SMSC


# --- SMS-DELIVER and SMS-STATUS-REPORT for the virtual modem -------------------------------------


def test_an_inbound_message_from_an_alphanumeric_sender_round_trips() -> None:
    (pdu,) = encode_deliver("T-Mobile", "Your bill is ready", timestamp=T0)
    sms = decode(pdu)
    assert (sms.type, sms.number, sms.text, sms.smsc) == (
        "deliver",
        "T-Mobile",
        "Your bill is ready",
        "+12063130004",
    )
    assert sms.timestamp == T0 and sms.timestamp.utcoffset() == timedelta(hours=-4)


def test_an_inbound_message_may_carry_no_smsc() -> None:
    (pdu,) = encode_deliver(NUMBER, "hi", timestamp=T0, smsc=None)
    assert pdu.startswith("0004")
    assert decode(pdu).smsc is None
    assert decode(pdu[2:], smsc=False).text == "hi"


@pytest.mark.parametrize(
    ("sender", "timestamp"),
    [
        ("A very long sender name", T0),  # more than 11 septets
        ("Ωmega™", T0),  # not GSM 7-bit
        (NUMBER, datetime(2024, 5, 6, 7, 8, 9)),  # naive  # noqa: DTZ001
        (NUMBER, datetime(2024, 5, 6, tzinfo=timezone(timedelta(minutes=5)))),
        (NUMBER, datetime(1999, 12, 31, tzinfo=UTC)),
    ],
)
def test_inbound_messages_that_a_pdu_cannot_carry_are_refused(
    sender: str, timestamp: datetime
) -> None:
    with pytest.raises(PduError):
        encode_deliver(sender, "hi", timestamp=timestamp)


def test_a_status_report_round_trips() -> None:
    pdu = encode_status_report(
        NUMBER, 42, 0x00, timestamp=T0, discharge_time=T0 + timedelta(seconds=4)
    )
    sms = decode(pdu)
    assert (sms.type, sms.number, sms.reference, sms.status, sms.delivered) == (
        "status_report",
        NUMBER,
        42,
        0,
        True,
    )
    assert (sms.timestamp, sms.discharge_time) == (T0, T0 + timedelta(seconds=4))


@pytest.mark.parametrize(
    ("status", "delivered"), [(0x00, True), (0x02, True), (0x1F, True), (0x20, False)]
)
def test_delivered_means_transaction_completed(status: int, delivered: bool) -> None:
    pdu = encode_status_report(NUMBER, 1, status, timestamp=T0, discharge_time=T0)
    assert decode(pdu).delivered is delivered


@pytest.mark.parametrize(("reference", "status"), [(256, 0), (-1, 0), (0, 256)])
def test_a_status_report_field_outside_an_octet_is_refused(reference: int, status: int) -> None:
    with pytest.raises(PduError):
        encode_status_report(NUMBER, reference, status, timestamp=T0, discharge_time=T0)


# --- decoding what is not a valid PDU ------------------------------------------------------------

SCTS_T0 = "42506070809069"  # T0: 2024-05-06 07:08:09, zone -16 quarters
DELIVER_HEAD = "0004" + "0B915155214365F7" + "0000" + SCTS_T0  # up to the SCTS


@pytest.mark.parametrize(
    ("pdu", "problem"),
    [
        ("", "truncated"),
        ("0", "odd"),
        ("0G", "not hexadecimal"),
        ("00 04", "not hexadecimal"),
        ("07911326040000", "truncated"),  # SMSC length past the end
        ("0003", "reserved message type"),
        (DELIVER_HEAD[:-4], "truncated"),  # inside the time stamp
        (DELIVER_HEAD + "05E8329BFD", "truncated"),  # 5 septets need 5 octets
        ("0004" + "0B915155214365F7" + "0000" + "42136070809061" + "00", "valid time"),
        ("0004" + "0B915155214365F7" + "0000" + "4250A070809061" + "00", "BCD"),
        (DELIVER_HEAD.replace("0000", "0008") + "02D800", "UTF-16"),  # a lone surrogate
        (DELIVER_HEAD.replace("0000", "0008") + "03004100", "odd number"),
        ("0044" + DELIVER_HEAD[4:].replace("0000", "0004") + "03050003", "overruns"),
        ("0044" + DELIVER_HEAD[4:].replace("0000", "0004") + "0302000A", "header element"),
        ("0044" + DELIVER_HEAD[4:] + "00", "header"),
        ("0006" + "01" + "0B915155214365F7" + SCTS_T0, "truncated"),  # no TP-DT
    ],
)
def test_malformed_pdus_raise_pdu_error(pdu: str, problem: str) -> None:
    with pytest.raises(PduError, match=problem) as caught:
        decode(pdu)
    assert isinstance(caught.value, ModemError)
    assert caught.value.permanent


@pytest.mark.parametrize("not_hex", [None, b"0004", 42])
def test_decoding_something_that_is_not_a_string_raises_pdu_error(not_hex: object) -> None:
    with pytest.raises(PduError):
        decode(not_hex)  # type: ignore[arg-type]


def test_submit_length_of_a_malformed_pdu_raises_pdu_error() -> None:
    for pdu in ("", "0791", "xx"):
        with pytest.raises(PduError):
            submit_length(pdu)


def test_a_concatenation_element_with_an_impossible_sequence_is_ignored() -> None:
    header = "050003" + "2A0203"  # part 3 of 2: TS 23.040 says ignore the element
    pdu = "0044" + DELIVER_HEAD[4:].replace("0000", "0004") + "06" + header
    sms = decode(pdu)
    assert sms.udh is None
    assert sms.information_elements == ((0x00, bytes.fromhex("2A0203")),)


def test_national_language_shift_elements_are_skipped_not_fatal() -> None:
    # UDH: single shift (0x24) and locking shift (0x25) to Turkish, then "hi"; the 7 header
    # octets are exactly 8 septets, so no fill bits
    ud = bytes.fromhex("06240101250101") + gsm7.pack(gsm7.encode("hi"))
    pdu = "0044" + DELIVER_HEAD[4:] + f"{8 + 2:02X}" + ud.hex()
    sms = decode(pdu)
    assert sms.text == "hi"
    assert [iei for iei, _ in sms.information_elements] == [0x24, 0x25]


@pytest.mark.parametrize(
    ("dcs", "encoding", "message_class"),
    [
        (0x00, "gsm7", None),
        (0x04, "8bit", None),
        (0x08, "ucs2", None),
        (0x0C, "gsm7", None),  # reserved alphabet: taken as GSM 7-bit
        (0x10, "gsm7", 0),
        (0x19, "ucs2", 1),
        (0x16, "8bit", 2),
        (0x44, "8bit", None),  # marked for automatic deletion
        (0x24, "8bit", None),  # compressed: kept as octets
        (0x80, "gsm7", None),  # reserved group
        (0xC0, "gsm7", None),  # message waiting, discard
        (0xD8, "gsm7", None),  # message waiting, store
        (0xE8, "ucs2", None),  # message waiting, store, UCS-2
        (0xF0, "gsm7", 0),
        (0xF5, "8bit", 1),
        (0xF2, "gsm7", 2),
        (0xF7, "8bit", 3),
    ],
)
def test_data_coding_schemes_map_to_their_alphabet_and_class(
    dcs: int, encoding: str, message_class: int | None
) -> None:
    pdu = DELIVER_HEAD.replace("0000", f"00{dcs:02X}") + "00"
    sms = decode(pdu)
    assert (sms.dcs, sms.encoding, sms.message_class) == (dcs, encoding, message_class)


@pytest.mark.parametrize(
    ("vpf_first_octet", "vp_hex", "validity"),
    [
        ("01", "", None),
        ("11", "AA", timedelta(days=4)),
        ("09", "01AA0000000000", timedelta(days=4)),  # enhanced, relative format
        ("09", "021E0000000000", timedelta(seconds=30)),  # enhanced, seconds
        ("09", "03103254000000", timedelta(hours=1, minutes=23, seconds=45)),  # enhanced, HHMMSS
        ("09", "00000000000000", None),  # enhanced, no validity period
        ("19", SCTS_T0, T0),
    ],
)
def test_every_validity_period_format_decodes(
    vpf_first_octet: str, vp_hex: str, validity: timedelta | datetime | None
) -> None:
    pdu = f"00{vpf_first_octet}000B915155214365F70000{vp_hex}05E8329BFD06"
    sms = decode(pdu)
    assert (sms.validity, sms.text) == (validity, "hello")
