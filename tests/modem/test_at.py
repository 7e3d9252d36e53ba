"""AT response parsing, +CMS ERROR verdicts and URC recognition: pure functions, no I/O."""

from __future__ import annotations

import pytest

from conductor.modem import at
from conductor.modem.at import Final, MemoryUse, Operator, Registration, Signal, StoredMessage
from conductor.modem.cms import cms_error
from conductor.modem.errors import PERMANENT_CMS_CODES, CommandError
from conductor.modem.urc import (
    IncomingMessage,
    MalformedUrc,
    ModemReady,
    NewMessage,
    PhonebookReady,
    SimStatus,
    SmsReady,
    StatusReport,
    StoredStatusReport,
    parse_urc,
    urc_prefix,
)

PDU = "07912160130300F4040B915155214365F700006221102240130005E8329BFD06"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("OK", Final("OK", ok=True)),
        ("ERROR", Final("ERROR", ok=False)),
        ("+CMS ERROR: 332", Final("+CMS ERROR: 332", ok=False, cms_code=332)),
        ("+CME ERROR: 10", Final("+CME ERROR: 10", ok=False, cme_code=10)),
        ("+CME ERROR: SIM not inserted", Final("+CME ERROR: SIM not inserted", ok=False)),
        ("NO CARRIER", Final("NO CARRIER", ok=False)),
        ("+CMGS: 3", None),
        ("OK then", None),
        ("", None),
    ],
)
def test_final_result_codes_are_recognised(line: str, expected: Final | None) -> None:
    assert at.parse_final(line) == expected


@pytest.mark.parametrize("code", [17, 22, 27, 38, 41, 42, 47, 300, 320, 322, 331, 332, 500, 600])
def test_network_trouble_and_modem_trouble_are_transient(code: int) -> None:
    error = at.command_error(Final(f"+CMS ERROR: {code}", False, cms_code=code), "AT+CMGS=20")
    assert error.cms_code == code
    assert error.permanent is False


@pytest.mark.parametrize("code", [1, 8, 10, 21, 28, 29, 30, 50, 69, 81, 96, 100, 111, 127, 304])
def test_refusals_that_will_repeat_are_permanent(code: int) -> None:
    error = at.command_error(Final(f"+CMS ERROR: {code}", False, cms_code=code), "AT+CMGS=20")
    assert error.permanent is True
    assert str(code) in str(error)


def test_the_table_agrees_with_every_code_errors_calls_permanent() -> None:
    assert all(cms_error(code).permanent for code in PERMANENT_CMS_CODES)


def test_a_cms_error_message_says_what_the_code_means() -> None:
    error = at.command_error(Final("+CMS ERROR: 42", False, cms_code=42), "AT+CMGS=20")
    assert "congestion" in str(error)
    assert error.command == "AT+CMGS=20"


def test_plain_error_and_cme_errors_are_transient_command_errors() -> None:
    error = at.command_error(Final("+CME ERROR: 10", False, cme_code=10), "AT+CIMI")
    assert isinstance(error, CommandError)
    assert (error.cme_code, error.cms_code, error.permanent) == (10, None, False)


@pytest.mark.parametrize(
    ("command", "prefix"),
    [
        ("AT+CPIN?", "+CPIN:"),
        ("AT+CMGL=4", "+CMGL:"),
        ("at+cmgs=25", "+CMGS:"),
        ("AT+CSQ", "+CSQ:"),
        ("AT+CPMS=?", "+CPMS:"),
        ("ATE0", None),
        ("AT", None),
    ],
)
def test_a_commands_own_answer_prefix(command: str, prefix: str | None) -> None:
    assert at.response_prefix(command) == prefix


def test_cmgl_pairs_each_header_with_its_pdu() -> None:
    lines = ["+CMGL: 0,1,,24", PDU, '+CMGL: 3,0,"Ann, Jo",24', PDU.lower()]
    assert at.parse_cmgl(lines) == [
        StoredMessage(0, 1, 24, PDU),
        StoredMessage(3, 0, 24, PDU.lower()),
    ]
    assert at.parse_cmgl([]) == []


@pytest.mark.parametrize(
    "lines", [["+CMGL: 0,1,,24"], ["+CMGL: 0,1,,24", "+CMGL: 1,1,,24", PDU], ["+CMGL: x,1,,2", PDU]]
)
def test_cmgl_without_pdus_or_numbers_is_an_error(lines: list[str]) -> None:
    with pytest.raises(CommandError):
        at.parse_cmgl(lines)


def test_cmgr_reads_one_message_or_an_empty_slot() -> None:
    assert at.parse_cmgr(5, ["+CMGR: 1,,24", PDU]) == StoredMessage(5, 1, 24, PDU)
    assert at.parse_cmgr(5, []) is None
    with pytest.raises(CommandError):
        at.parse_cmgr(5, ["+CMGR: 1,,24"])


def test_cmgs_gives_the_message_reference() -> None:
    assert at.parse_cmgs(["+CMGS: 17"]) == 17
    assert at.parse_cmgs(['+CMGS: 200,"26/12/01,10:00:00+00"']) == 200
    with pytest.raises(CommandError):
        at.parse_cmgs([])


def test_signal_registration_and_operator() -> None:
    assert at.parse_csq(["+CSQ: 20,99"]) == Signal(20, 99)
    assert at.parse_csq(["+CSQ: 20,99"]).dbm == -73
    assert at.parse_csq(["+CSQ: 99,99"]).dbm is None
    assert at.parse_creg(["+CREG: 0,5"]) == Registration(0, 5)
    assert at.parse_creg(["+CREG: 0,5"]).registered
    assert not at.parse_creg(["+CREG: 0,2"]).registered
    assert at.parse_cops(['+COPS: 0,0,"T-Mobile",7']) == Operator(0, "T-Mobile", 7)
    assert at.parse_cops(["+COPS: 0"]) == Operator(0)


def test_cpms_in_its_read_and_set_forms() -> None:
    read = at.parse_cpms(['+CPMS: "SM",3,30,"SM",3,30,"ME",0,23'])
    assert read == [MemoryUse("SM", 3, 30), MemoryUse("SM", 3, 30), MemoryUse("ME", 0, 23)]
    assert read[0].free == 27
    assert at.parse_cpms(["+CPMS: 3,30,3,30,3,30"])[0] == MemoryUse(None, 3, 30)
    with pytest.raises(CommandError):
        at.parse_cpms(["+CPMS: "])


def test_identity_values_lose_their_prefix_and_quotes() -> None:
    assert at.value_after_prefix(["+ICCID: 8901260000000000017"]) == "8901260000000000017"
    assert at.value_after_prefix(["862636050000017"]) == "862636050000017"
    assert at.value_after_prefix(['+CGMR: "LE20B04"']) == "LE20B04"


@pytest.mark.parametrize(
    ("line", "pdu", "urc"),
    [
        ('+CMTI: "SM",3', None, NewMessage("SM", 3)),
        ('+CDSI: "SM",12', None, StoredStatusReport("SM", 12)),
        ("+CDS: 25", PDU, StatusReport(25, PDU)),
        ("+CMT: ,24", PDU, IncomingMessage(24, PDU)),
        ('+CMT: "Ann",24', PDU, IncomingMessage(24, PDU)),
        ("RDY", None, ModemReady()),
        ("+CPIN: READY", None, SimStatus("READY")),
        ("SMS DONE", None, SmsReady()),
        ("PB DONE", None, PhonebookReady()),
    ],
)
def test_urcs_parse_to_their_dataclasses(line: str, pdu: str | None, urc: object) -> None:
    assert urc_prefix(line) is not None
    assert parse_urc(line, pdu) == urc


@pytest.mark.parametrize(
    ("line", "pdu"), [('+CMTI: "SM"', None), ("+CMTI: x,y", None), ("+CDS: 25", "OK")]
)
def test_broken_urcs_are_kept_as_malformed(line: str, pdu: str | None) -> None:
    urc = parse_urc(line, pdu)
    assert isinstance(urc, MalformedUrc)
    assert urc.line == line


@pytest.mark.parametrize("line", ["OK", "+CMGS: 3", "+CSQ: 20,99", PDU, "RDYX", "+CMTIX"])
def test_other_lines_are_not_urcs(line: str) -> None:
    assert urc_prefix(line) is None
