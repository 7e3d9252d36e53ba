"""The reader fed with bytes: lines, echo, the ``> `` prompt and URCs whatever is pending."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from conductor.modem.errors import ModemGone
from conductor.modem.protocol import AtProtocol, Exchange
from conductor.modem.urc import (
    MalformedUrc,
    ModemReady,
    NewMessage,
    PhonebookReady,
    SimStatus,
    SmsReady,
    StatusReport,
    Urc,
)

PDU = "07912160130300F4040B915155214365F700006221102240130005E8329BFD06"
SUBMIT = "0011000B915155214365F70000AA05E8329BFD06"
REPORT = "07912160130300F406000B915155674523F1622110224013006221102240130000"


class RecordingTransport(asyncio.WriteTransport):
    """The serial transport's write side, recording what the driver wrote."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)


class Reader:
    def __init__(self) -> None:
        self.urcs: list[Urc] = []
        self.protocol = AtProtocol(self.urcs.append)
        self.transport = RecordingTransport()
        self.protocol.connection_made(self.transport)

    def begin(self, command: str, *, expect_prompt: bool = False, pdu: str = "") -> Exchange:
        exchange = Exchange(command, expect_prompt=expect_prompt, pdu=pdu)
        self.protocol.start(exchange)
        return exchange

    def feed(self, *chunks: bytes) -> None:
        for chunk in chunks:
            self.protocol.data_received(chunk)


def splits(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The data cut in two at every byte boundary."""
    for cut in range(len(data) + 1):
        yield data[:cut], data[cut:]


def test_a_urc_with_nothing_pending_reaches_the_callback() -> None:
    reader = Reader()
    reader.feed(b'\r\n+CMTI: "SM",3\r\n')
    assert reader.urcs == [NewMessage("SM", 3)]


def test_a_response_is_collected_until_its_final_result() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CSQ")
    reader.feed(b"\r\n+CSQ: 20,99\r\n")
    assert not exchange.finished.is_set()
    reader.feed(b"\r\nOK\r\n")
    assert exchange.finished.is_set()
    assert exchange.lines == ["+CSQ: 20,99"]
    assert exchange.final is not None and exchange.final.ok
    assert reader.protocol.pending is None


def test_the_echo_of_the_command_is_dropped() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CSQ")
    reader.feed(b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n")
    assert exchange.lines == ["+CSQ: 20,99"]


def test_an_error_result_ends_the_exchange_with_its_code() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CMGR=40")
    reader.feed(b"\r\n+CMS ERROR: 321\r\n")
    assert exchange.final is not None
    assert (exchange.final.ok, exchange.final.cms_code) == (False, 321)


CMGL_WITH_CMTI = (
    b"\r\n+CMGL: 0,1,,24\r\n" + PDU.encode() + b"\r\n"
    b'\r\n+CMTI: "SM",2\r\n'
    b"+CMGL: 1,0,,24\r\n"
    b'\r\n+CMTI: "SM",3\r\n' + PDU.encode() + b"\r\n"
    b"\r\nOK\r\n"
)


def test_cmti_between_the_lines_of_a_cmgl_response_split_anywhere() -> None:
    for head, tail in splits(CMGL_WITH_CMTI):
        reader = Reader()
        exchange = reader.begin("AT+CMGL=4")
        reader.feed(head, tail)
        assert exchange.lines == ["+CMGL: 0,1,,24", PDU, "+CMGL: 1,0,,24", PDU], head
        assert reader.urcs == [NewMessage("SM", 2), NewMessage("SM", 3)], head
        assert exchange.finished.is_set(), head


def test_responses_fed_one_byte_at_a_time() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CMGL=4")
    reader.feed(*(bytes([byte]) for byte in CMGL_WITH_CMTI))
    assert exchange.lines == ["+CMGL: 0,1,,24", PDU, "+CMGL: 1,0,,24", PDU]
    exchange = reader.begin("AT+CMGS=19", expect_prompt=True, pdu=SUBMIT)
    reader.feed(*(bytes([byte]) for byte in CMGS_EXCHANGE))
    assert exchange.lines == ["+CMGS: 7"]
    assert reader.urcs == [NewMessage("SM", 2), NewMessage("SM", 3), NewMessage("SM", 4)]


CMGS_EXCHANGE = (
    b"AT+CMGS=19\r\r\n> " + SUBMIT.encode() + b'\x1a\r\n+CMTI: "SM",4\r\n\r\n+CMGS: 7\r\n\r\nOK\r\n'
)


def test_the_prompt_and_a_cmti_in_the_middle_of_cmgs_split_anywhere() -> None:
    for head, tail in splits(CMGS_EXCHANGE):
        reader = Reader()
        exchange = reader.begin("AT+CMGS=19", expect_prompt=True, pdu=SUBMIT)
        reader.feed(head, tail)
        assert exchange.prompted.is_set(), head
        assert exchange.lines == ["+CMGS: 7"], head
        assert reader.urcs == [NewMessage("SM", 4)], head


def test_the_prompt_has_no_line_end_and_is_seen_at_once() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CMGS=19", expect_prompt=True, pdu=SUBMIT)
    reader.feed(b"\r\n>")
    assert exchange.prompted.is_set()
    assert not exchange.finished.is_set()
    reader.feed(b' \r\n+CMTI: "SM",4\r\n')
    assert reader.urcs == [NewMessage("SM", 4)]
    reader.feed(b"\r\n+CMGS: 8\r\n\r\nOK\r\n")
    assert exchange.lines == ["+CMGS: 8"]


def test_a_prompt_is_only_a_prompt_when_one_is_expected() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CSQ")
    reader.feed(b"\r\n> \r\nOK\r\n")
    assert exchange.lines == [">"]


def test_an_error_instead_of_the_prompt_ends_the_exchange() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CMGS=300", expect_prompt=True, pdu=SUBMIT)
    reader.feed(b"\r\n+CMS ERROR: 304\r\n")
    assert exchange.prompted.is_set() and exchange.finished.is_set()
    assert exchange.final is not None and exchange.final.cms_code == 304


CDS_DURING_COMMAND = b"\r\n+CSQ: 20,99\r\n\r\n+CDS: 25\r\n" + REPORT.encode() + b"\r\n\r\nOK\r\n"


def test_the_two_line_cds_is_taken_whatever_is_pending_split_anywhere() -> None:
    for head, tail in splits(CDS_DURING_COMMAND):
        reader = Reader()
        exchange = reader.begin("AT+CSQ")
        reader.feed(head, tail)
        assert reader.urcs == [StatusReport(25, REPORT)], head
        assert exchange.lines == ["+CSQ: 20,99"], head


def test_a_cds_without_its_pdu_is_malformed_and_the_next_line_still_counts() -> None:
    reader = Reader()
    exchange = reader.begin("AT")
    reader.feed(b"\r\n+CDS: 25\r\n\r\nOK\r\n")
    assert reader.urcs == [MalformedUrc("+CDS: 25", "no PDU line after it (got None)")]
    assert exchange.finished.is_set()


def test_restart_urcs_arrive_in_order() -> None:
    reader = Reader()
    reader.feed(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n")
    assert reader.urcs == [ModemReady(), SimStatus("READY"), SmsReady(), PhonebookReady()]


def test_the_answer_to_cpin_belongs_to_the_command_not_the_urcs() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CPIN?")
    reader.feed(b"\r\n+CPIN: READY\r\n\r\nOK\r\n")
    assert exchange.lines == ["+CPIN: READY"]
    assert reader.urcs == []


def test_stray_lines_with_nothing_pending_do_not_leak_into_the_next_command() -> None:
    reader = Reader()
    reader.feed(b"\r\n+CSQ: 5,99\r\n\r\nOK\r\n")
    exchange = reader.begin("AT+CSQ")
    reader.feed(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n")
    assert exchange.lines == ["+CSQ: 20,99"]


def test_an_abandoned_exchange_collects_nothing_more() -> None:
    reader = Reader()
    exchange = reader.begin("AT+CSQ")
    reader.protocol.abandon(exchange)
    reader.feed(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n")
    assert exchange.lines == [] and not exchange.finished.is_set()


def test_only_one_exchange_at_a_time() -> None:
    reader = Reader()
    reader.begin("AT")
    with pytest.raises(RuntimeError):
        reader.begin("AT+CSQ")


def test_writes_go_to_the_transport() -> None:
    reader = Reader()
    reader.protocol.write(b"AT\r")
    assert reader.transport.written == b"AT\r"


def test_losing_the_port_fails_the_pending_exchange_and_every_later_one() -> None:
    lost: list[Exception | None] = []
    protocol = AtProtocol(lambda urc: None, lost.append)
    protocol.connection_made(RecordingTransport())
    exchange = Exchange("AT+CMGL=4")
    protocol.start(exchange)
    protocol.connection_lost(OSError("EIO"))
    assert exchange.finished.is_set()
    assert isinstance(exchange.error, ModemGone)
    assert len(lost) == 1
    with pytest.raises(ModemGone):
        protocol.start(Exchange("AT"))
    with pytest.raises(ModemGone):
        protocol.write(b"AT\r")


def test_a_runaway_line_is_dropped_instead_of_growing_forever() -> None:
    reader = Reader()
    reader.feed(b"x" * (70 * 1024))
    reader.feed(b'\r\n+CMTI: "SM",1\r\n')
    assert reader.urcs == [NewMessage("SM", 1)]
