"""The virtual SIM7600's byte machine on its own: bytes in, bytes out, a clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conductor.modem import pdu
from conductor.modem.virtual_device import Device

SUBMIT = pdu.encode_submit("+15557654321", "hi")[0]
SUBMIT_WITH_REPORT = pdu.encode_submit("+15557654321", "hi", status_report=True)[0]
MOMENT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Host:
    """Writes to the device and reads what it answered since the last read."""

    def __init__(self, device: Device | None = None) -> None:
        self.device = device or Device(status_report_delay=1.0, boot_delay=0.5)
        self.now = 0.0

    def write(self, data: str | bytes) -> str:
        raw = data.encode("ascii") if isinstance(data, str) else data
        self.device.receive(raw, self.now)
        return self.read()

    def at(self, command: str) -> str:
        return self.write(command + "\r")

    def advance(self, seconds: float) -> str:
        self.now += seconds
        self.device.poll(self.now)
        return self.read()

    def read(self) -> str:
        text = self.device.output.decode("ascii")
        self.device.output.clear()
        return text

    def quiet(self) -> Host:
        self.at("ATE0")
        return self

    def inject(self, text: str, sender: str = "+15551230001") -> list[int]:
        return self.device.deliver(pdu.encode_deliver(sender, text, timestamp=MOMENT), self.now)


def test_echo_is_on_until_ate0() -> None:
    host = Host()
    assert host.at("AT") == "AT\r\r\nOK\r\n"
    assert host.at("ATE0") == "ATE0\r\r\nOK\r\n"
    assert host.at("AT") == "\r\nOK\r\n"
    assert host.at("ATE1") == "\r\nOK\r\n"
    assert host.at("AT") == "AT\r\r\nOK\r\n"


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("AT+CGMI", "SIMCOM INCORPORATED"),
        ("AT+CGMM", "SIMCOM_SIM7600G-H"),
        ("AT+CGMR", "+CGMR: LE20B04SIM7600G22"),
        ("AT+CGSN", "862636050000017"),
        ("AT+CIMI", "310260000000017"),
        ("AT+CICCID", "+ICCID: 8901260000000000017"),
        ("AT+CCID", "+CCID: 8901260000000000017"),
        ("AT+CPIN?", "+CPIN: READY"),
        ("AT+CSQ", "+CSQ: 20,99"),
        ("AT+CREG?", "+CREG: 0,1"),
        ("AT+COPS?", '+COPS: 0,0,"T-Mobile",7'),
        ("AT+CPMS?", '+CPMS: "SM",0,30,"SM",0,30,"SM",0,30'),
        ('AT+CPMS="SM","SM","SM"', "+CPMS: 0,30,0,30,0,30"),
        ("AT+CPMS=?", '+CPMS: ("SM"),("SM"),("SM")'),
        ("AT+CMGF?", "+CMGF: 0"),
        ("AT+CSCA?", '+CSCA: "+12063130004",145'),
        ("AT+CSMS?", "+CSMS: 0,1,1,1"),
        ("AT+CSCS?", '+CSCS: "IRA"'),
        ("AT+CBC", "+CBC: 4.100V"),
        ("ATI", "Manufacturer: SIMCOM INCORPORATED"),
    ],
)
def test_identification_and_status_commands_gammu_sends(command: str, answer: str) -> None:
    reply = Host().quiet().at(command)
    assert reply.startswith(f"\r\n{answer}\r\n")
    assert reply.endswith("\r\nOK\r\n")


@pytest.mark.parametrize(
    "command", ["AT+CMGF=1", "AT+NOPE", "ATX9", "AT+CMGD", "hello", "AT+CSQ?", "AT+CMEE=7"]
)
def test_unknown_and_unsupported_commands_are_errors(command: str) -> None:
    assert Host().quiet().at(command) == "\r\nERROR\r\n"


def test_settings_read_back_and_only_sm_storage_is_offered() -> None:
    host = Host().quiet()
    assert host.at("AT+CNMI=2,1,0,1,0") == "\r\nOK\r\n"
    assert host.at("AT+CNMI?") == "\r\n+CNMI: 2,1,0,1,0\r\n\r\nOK\r\n"
    assert host.at("AT+CMGF=0") == "\r\nOK\r\n"
    assert host.at('AT+CPMS="ME","ME","ME"') == "\r\n+CMS ERROR: 302\r\n"


def test_cmgs_prompts_takes_hex_until_ctrl_z_and_counts_tp_mr_modulo_256() -> None:
    host = Host().quiet()
    length = pdu.submit_length(SUBMIT)
    for expected in [*range(256), 0]:
        assert host.at(f"AT+CMGS={length}") == "\r\n> "
        assert host.write(SUBMIT + "\x1a") == f"\r\n+CMGS: {expected}\r\n\r\nOK\r\n"
    assert len(host.device.sent) == 257
    assert host.device.sent[0].sms.text == "hi"


def test_esc_cancels_a_send_and_a_bad_length_is_refused() -> None:
    host = Host().quiet()
    assert host.at(f"AT+CMGS={pdu.submit_length(SUBMIT)}") == "\r\n> "
    assert host.write(SUBMIT[:10] + "\x1b") == "\r\nOK\r\n"
    assert host.at(f"AT+CMGS={pdu.submit_length(SUBMIT) + 2}") == "\r\n> "
    assert host.write(SUBMIT + "\x1a") == "\r\n+CMS ERROR: 304\r\n"
    assert host.at("AT+CMGS=20") == "\r\n> "
    assert host.write("ZZ\x1a") == "\r\n+CMS ERROR: 304\r\n"
    assert host.device.sent == []


def test_the_echo_of_a_pdu_comes_back_while_echo_is_on() -> None:
    host = Host()
    assert host.at(f"AT+CMGS={pdu.submit_length(SUBMIT)}").endswith("\r\n> ")
    assert host.write(SUBMIT + "\x1a") == SUBMIT + "\r\n+CMGS: 0\r\n\r\nOK\r\n"


def test_arrivals_are_notified_only_as_cnmi_asks() -> None:
    host = Host().quiet()
    assert host.inject("before") == [0]
    assert host.read() == ""
    host.at("AT+CNMI=2,1,0,1,0")
    assert host.inject("after") == [1]
    assert host.read() == '\r\n+CMTI: "SM",1\r\n'
    host.at("AT+CNMI=2,2,0,1,0")
    assert host.inject("routed") == []
    assert host.read().startswith("\r\n+CMT: ,")
    assert sorted(host.device.storage.slots) == [0, 1]


def test_cmgl_lists_by_stat_and_marks_unread_messages_read() -> None:
    host = Host().quiet()
    one, two = (pdu.encode_deliver("+1555", text, timestamp=MOMENT)[0] for text in ("1", "2"))
    host.device.deliver([one, two], host.now)
    listing = host.at("AT+CMGL=0")
    assert listing == f"\r\n+CMGL: 0,0,,16\r\n{one}\r\n+CMGL: 1,0,,16\r\n{two}\r\n\r\nOK\r\n"
    assert host.at("AT+CMGL=0") == "\r\nOK\r\n"
    assert host.at("AT+CMGL=1").count("+CMGL: ") == 2
    assert host.at("AT+CMGL=9") == "\r\n+CMS ERROR: 304\r\n"


def test_cmgr_and_cmgd_by_index_and_by_flag() -> None:
    host = Host().quiet()
    for text in ("one", "two", "three"):
        host.inject(text)
    assert host.at("AT+CMGR=1").startswith("\r\n+CMGR: 0,,")
    assert host.at("AT+CMGR=30") == "\r\n+CMS ERROR: 321\r\n"
    assert host.at("AT+CMGD=0,1") == "\r\nOK\r\n"  # only the read one goes
    assert sorted(host.device.storage.slots) == [0, 2]
    assert host.at("AT+CMGR=1") == "\r\nOK\r\n"
    assert host.at("AT+CMGD=0,4") == "\r\nOK\r\n"
    assert host.device.storage.slots == {}


def test_status_reports_come_after_their_delay_as_cds_or_stored_with_cdsi() -> None:
    host = Host().quiet()
    host.at("AT+CNMI=2,1,0,1,0")
    host.at(f"AT+CMGS={pdu.submit_length(SUBMIT_WITH_REPORT)}")
    host.write(SUBMIT_WITH_REPORT + "\x1a")
    assert host.device.next_deadline() == 1.0
    assert host.advance(0.5) == ""
    lines = host.advance(0.5).split("\r\n")
    assert lines[1] == "+CDS: 25"
    assert pdu.decode(lines[2]).reference == 0
    host.at("AT+CNMI=2,1,0,2,0")
    host.at(f"AT+CMGS={pdu.submit_length(SUBMIT_WITH_REPORT)}")
    host.write(SUBMIT_WITH_REPORT + "\x1a")
    assert host.advance(1.0) == '\r\n+CDSI: "SM",0\r\n'


def test_latency_delays_answers_but_not_notifications() -> None:
    host = Host().quiet()
    host.at("AT+CNMI=2,1,0,1,0")
    host.device.latency = 1.0
    assert host.at("AT+CSQ") == ""
    host.inject("meanwhile")
    assert host.read() == '\r\n+CMTI: "SM",0\r\n'
    assert host.advance(0.5) == ""
    assert host.advance(0.5) == "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"


def test_a_reboot_ignores_commands_while_booting_then_says_rdy_with_defaults() -> None:
    host = Host().quiet()
    host.at("AT+CNMI=2,1,0,1,0")
    host.inject("kept")
    host.read()
    host.device.reboot(host.now)
    assert host.at("AT") == ""
    assert host.advance(0.5) == "\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n"
    assert host.at("AT+CNMI?") == "AT+CNMI?\r\r\n+CNMI: 0,0,0,0,0\r\n\r\nOK\r\n"
    assert sorted(host.device.storage.slots) == [0]


def test_a_silent_modem_drops_input_and_output_until_it_recovers() -> None:
    host = Host().quiet()
    host.device.go_silent(2.0, host.now)
    assert host.at("AT") == ""
    host.advance(2.0)
    assert host.at("AT") == "\r\nOK\r\n"
