"""E-mail: the SMTP settings and sending one plain-text message.

``CONDUCTOR_SMTP_TLS`` picks how the connection is protected: ``starttls`` (connect in clear,
upgrade with STARTTLS; a server that does not offer it is refused, never used in clear), ``ssl``
(TLS from the first byte, usually port 465) or ``none`` (a relay on this machine or the shop
network). Certificates are verified against the system's trust store.

Failures raise :class:`~conductor.errors.MailError`: ``permanent`` for a 5xx answer or a server
that cannot do what the settings ask, transient for a 4xx answer, a refused or dropped connection
or a timeout. Recording the mail in the ``messages`` table is
:mod:`conductor.messaging.email`'s job.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal

from conductor.config import Settings
from conductor.errors import ConfigError, InvalidInput, MailError

TlsMode = Literal["starttls", "ssl", "none"]

TIMEOUT_S = 30.0
"""Seconds to wait for the SMTP server at each step."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    tls: TlsMode
    user: str
    password: str
    sender: str
    """The From header: ``hello@example.com`` or ``MOTA Dispensary <hello@example.com>``."""
    timeout: float = TIMEOUT_S

    @classmethod
    def from_settings(cls, settings: Settings) -> MailSettings:
        """The SMTP settings; ConfigError when e-mail is off or has no sender address."""
        if not mail_enabled(settings):
            raise ConfigError(
                "CONDUCTOR_SMTP_HOST", "e-mail is off", "set it to the shop's SMTP server"
            )
        try:
            email_address(settings.mail_from)
        except InvalidInput as exc:
            raise ConfigError(
                "CONDUCTOR_MAIL_FROM", str(exc), "set it to the address e-mails come from"
            ) from exc
        return cls(
            host=settings.smtp_host, port=settings.smtp_port, tls=settings.smtp_tls,
            user=settings.smtp_user, password=settings.smtp_password, sender=settings.mail_from,
        )  # fmt: skip


def mail_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def email_address(text: str) -> str:
    """The bare, lower-case address in ``text`` (``Ana <Ana@Example.com>`` too); InvalidInput
    when there is none."""
    if "\r" in text or "\n" in text:
        raise InvalidInput("an e-mail address cannot contain a line break")
    address = parseaddr(text.strip())[1].lower()
    local, at, domain = address.rpartition("@")
    if not (local and at and "." in domain) or " " in address or "@" in local:
        raise InvalidInput(f"not an e-mail address: {text!r}")
    return address


def check_subject(subject: str) -> None:
    """A subject is one header line: a line break would let it add headers (Bcc ...)."""
    if "\r" in subject or "\n" in subject:
        raise InvalidInput("an e-mail subject cannot contain a line break")


def compose(
    settings: MailSettings, *, to: str, subject: str, body: str, reply_to: str | None = None
) -> EmailMessage:
    """A plain-text message with Date and Message-ID; InvalidInput for a bad address or a line
    break in the subject."""
    email_address(to)
    if reply_to is not None:
        email_address(reply_to)
    check_subject(subject)
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=email_address(settings.sender).partition("@")[2])
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message.set_content(body)
    return message


def send_mail(
    settings: MailSettings, *, to: str, subject: str, body: str, reply_to: str | None = None
) -> str:
    """Send one e-mail; returns its Message-ID. Raises MailError (``permanent`` or not)."""
    message = compose(settings, to=to, subject=subject, body=body, reply_to=reply_to)
    try:
        with _connect(settings) as smtp:
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()))
        raise _answer_error(f"the server refused {to}", code, reason) from exc
    except smtplib.SMTPResponseException as exc:
        raise _answer_error("the server refused the mail", exc.smtp_code, exc.smtp_error) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"{_where(settings)}: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        why = str(exc) or type(exc).__name__
        raise MailError(f"cannot reach {_where(settings)}: {why}", permanent=False) from exc
    return str(message["Message-ID"])


def _connect(settings: MailSettings) -> smtplib.SMTP:
    """An open connection, protected as ``settings.tls`` says."""
    if settings.tls == "ssl":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.tls == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _answer_error(problem: str, code: int, reason: bytes | str) -> MailError:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else reason
    return MailError(
        f"{problem}: {code} {text}".rstrip(), permanent=500 <= code < 600, smtp_code=code
    )


def _where(settings: MailSettings) -> str:
    return f"SMTP server {settings.host}:{settings.port} ({settings.tls})"
