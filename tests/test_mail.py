"""E-mail against a real SMTP server: aiosmtpd on 127.0.0.1, a free port per test."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from conductor.config import load_settings
from conductor.errors import ConfigError, InvalidInput, MailError
from conductor.mail import MailSettings, send_mail
from conductor.messaging.consent import record_consent
from conductor.messaging.email import send_email_message
from conductor.messaging.models import Message
from factories import make_customer

NOW = datetime(2024, 3, 14, 17, 30, tzinfo=UTC)
SENDER = "MOTA Dispensary <hello@mota.test>"


class Inbox:
    """An aiosmtpd handler: keeps what it accepts, answers ``refuse[address]`` to a RCPT."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.refuse: dict[str, str] = {}
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        ok = (data.login, data.password) == (b"shop", b"s3cret")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    def message(self, index: int = -1) -> EmailMessage:
        content = self.received[index].content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


Server = Callable[..., MailSettings]


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp_server(inbox: Inbox) -> Iterator[Server]:
    """Start a real SMTP server (keyword arguments go to aiosmtpd); returns settings for it."""
    controllers: list[Controller] = []

    def start(**kwargs: Any) -> MailSettings:
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        return MailSettings(
            host="127.0.0.1", port=controller.port, tls="none", user="", password="",
            sender=SENDER, timeout=5.0,
        )  # fmt: skip

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def plain(smtp_server: Server) -> MailSettings:
    return smtp_server()


def test_a_mail_arrives_with_its_subject_body_sender_and_recipient(
    plain: MailSettings, inbox: Inbox
) -> None:
    message_id = send_mail(
        plain, to="ana@example.com", subject="Your order is ready",
        body="Hi Ana,\n\nyour order is ready for pickup.\n", reply_to="team@mota.test",
    )  # fmt: skip
    envelope = inbox.received[0]
    assert (envelope.mail_from, envelope.rcpt_tos) == ("hello@mota.test", ["ana@example.com"])
    mail = inbox.message()
    assert mail["Subject"] == "Your order is ready"
    assert mail["From"] == SENDER
    assert mail["To"] == "ana@example.com"
    assert mail["Reply-To"] == "team@mota.test"
    assert mail["Message-ID"] == message_id
    assert message_id.endswith("@mota.test>")
    assert mail["Date"]
    body = mail.get_body()
    assert body is not None
    assert body.get_content() == "Hi Ana,\r\n\r\nyour order is ready for pickup.\r\n"


def test_the_sent_mail_is_logged_as_an_outbound_email_message(
    plain: MailSettings, inbox: Inbox, session: DbSession
) -> None:
    ana = make_customer(session, first_name="Ana", email="ana@example.com")
    message = send_email_message(
        session, plain, to="Ana@Example.com", subject="Hello", body="See you soon!", now=NOW
    )
    session.commit()
    stored = session.scalars(select(Message)).one()
    assert stored.id == message.id
    assert (stored.channel, stored.direction, stored.status) == ("email", "outbound", "sent")
    assert (stored.phone_number, stored.content) == ("ana@example.com", "See you soon!")
    assert (stored.sent_at, stored.customer_id, stored.error_message) == (NOW, ana.id, None)
    assert inbox.received[0].rcpt_tos == ["ana@example.com"]


def test_a_refused_recipient_is_a_permanent_error_and_a_failed_row(
    plain: MailSettings, inbox: Inbox, session: DbSession
) -> None:
    inbox.refuse["nobody@example.com"] = "550 no such user"
    with pytest.raises(MailError) as caught:
        send_mail(plain, to="nobody@example.com", subject="Hi", body="Hello")
    assert (caught.value.permanent, caught.value.smtp_code) == (True, 550)
    assert "no such user" in str(caught.value)

    message = send_email_message(
        session, plain, to="nobody@example.com", subject="Hi", body="Hello", now=NOW
    )
    session.commit()
    stored = session.get(Message, message.id)
    assert stored is not None
    assert (stored.channel, stored.status, stored.sent_at) == ("email", "failed", None)
    assert stored.error_message is not None
    assert "550 no such user" in stored.error_message
    assert inbox.received == []


def test_a_4xx_answer_is_a_transient_error(plain: MailSettings, inbox: Inbox) -> None:
    inbox.refuse["busy@example.com"] = "450 mailbox busy, try later"
    with pytest.raises(MailError) as caught:
        send_mail(plain, to="busy@example.com", subject="Hi", body="Hello")
    assert (caught.value.permanent, caught.value.smtp_code) == (False, 450)


def test_a_server_that_is_not_there_is_a_transient_error_and_a_failed_row(
    session: DbSession,
) -> None:
    nowhere = MailSettings("127.0.0.1", free_port(), "none", "", "", SENDER, timeout=5.0)
    with pytest.raises(MailError) as caught:
        send_mail(nowhere, to="ana@example.com", subject="Hi", body="Hello")
    assert caught.value.permanent is False
    message = send_email_message(
        session, nowhere, to="ana@example.com", subject="Hi", body="Hello", now=NOW
    )
    assert message.status == "failed"
    assert message.error_message is not None
    assert "cannot reach SMTP server 127.0.0.1" in message.error_message


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(
    plain: MailSettings, inbox: Inbox
) -> None:
    with pytest.raises(MailError, match="STARTTLS") as caught:
        send_mail(replace(plain, tls="starttls"), to="ana@example.com", subject="Hi", body="x")
    assert caught.value.permanent is True
    assert inbox.received == []


def test_the_user_logs_in_and_a_wrong_password_is_permanent(
    smtp_server: Server, inbox: Inbox
) -> None:
    server = smtp_server(authenticator=inbox.authenticate, auth_require_tls=False)
    send_mail(
        replace(server, user="shop", password="s3cret"), to="a@example.com", subject="s", body="b"
    )
    assert inbox.logins == [(b"shop", b"s3cret")]
    assert len(inbox.received) == 1
    with pytest.raises(MailError) as caught:
        send_mail(
            replace(server, user="shop", password="nope"), to="a@example.com", subject="s", body="b"
        )
    assert (caught.value.permanent, caught.value.smtp_code) == (True, 535)
    assert len(inbox.received) == 1


@pytest.fixture
def trusted_cert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1 that the client trusts (``SSL_CERT_FILE``);
    returns the server's TLS context."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    command += " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        [*command.split(), "-keyout", key, "-out", cert], check=True, capture_output=True
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_starttls_upgrades_the_connection_before_sending(
    smtp_server: Server, inbox: Inbox, trusted_cert: ssl.SSLContext
) -> None:
    server = smtp_server(tls_context=trusted_cert, require_starttls=True)
    send_mail(replace(server, tls="starttls"), to="ana@example.com", subject="Hi", body="Hello")
    assert inbox.message()["Subject"] == "Hi"


def test_ssl_mode_speaks_tls_from_the_first_byte(
    smtp_server: Server, inbox: Inbox, trusted_cert: ssl.SSLContext
) -> None:
    server = smtp_server(ssl_context=trusted_cert)
    send_mail(replace(server, tls="ssl"), to="ana@example.com", subject="Hi", body="Hello")
    assert inbox.message()["Subject"] == "Hi"


def test_an_untrusted_certificate_is_refused(
    smtp_server: Server, inbox: Inbox, trusted_cert: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(ssl_context=trusted_cert)
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send_mail(replace(server, tls="ssl"), to="ana@example.com", subject="Hi", body="Hello")
    assert inbox.received == []


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("not an address", "Hi"),
        ("ana@example.com\nBcc: x@evil.test", "Hi"),
        ("a@b.test", "Hi\nBcc: x@evil.test"),
        ("a-very-long-mailbox-name-indeed@example.com", "Hi"),  # over the 40-char column
    ],
)
def test_a_bad_address_or_subject_is_refused_before_anything_is_sent_or_stored(
    plain: MailSettings, inbox: Inbox, session: DbSession, to: str, subject: str
) -> None:
    with pytest.raises(InvalidInput):
        send_email_message(session, plain, to=to, subject=subject, body="Hello", now=NOW)
    assert inbox.received == []
    assert session.scalars(select(Message)).all() == []


def test_an_address_that_opted_out_of_email_is_refused(
    plain: MailSettings, inbox: Inbox, session: DbSession
) -> None:
    record_consent(
        session, "ana@example.com", opted_out=True, source="test", at=NOW, channel="email"
    )
    with pytest.raises(InvalidInput, match="opted out"):
        send_email_message(session, plain, to="ana@example.com", subject="Hi", body="x", now=NOW)
    assert inbox.received == []


def test_mail_settings_come_from_the_conductor_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="CONDUCTOR_SMTP_HOST"):
        MailSettings.from_settings(load_settings())
    monkeypatch.setenv("CONDUCTOR_SMTP_HOST", "smtp.example.com")
    with pytest.raises(ConfigError, match="CONDUCTOR_MAIL_FROM"):
        MailSettings.from_settings(load_settings())
    monkeypatch.setenv("CONDUCTOR_MAIL_FROM", SENDER)
    monkeypatch.setenv("CONDUCTOR_SMTP_PORT", "465")
    monkeypatch.setenv("CONDUCTOR_SMTP_TLS", "ssl")
    monkeypatch.setenv("CONDUCTOR_SMTP_USER", "shop")
    monkeypatch.setenv("CONDUCTOR_SMTP_PASSWORD", "s3cret")
    settings = MailSettings.from_settings(load_settings())
    assert settings == MailSettings("smtp.example.com", 465, "ssl", "shop", "s3cret", SENDER)
    monkeypatch.setenv("CONDUCTOR_SMTP_TLS", "tls")
    with pytest.raises(ConfigError, match="CONDUCTOR_SMTP_TLS"):
        load_settings()
