"""A real SMTP server for tests that send mail: aiosmtpd on 127.0.0.1, on a free port."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from conductor.mail import MailSettings


class Collect:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope)
        return "250 OK"

    def message(self, index: int = -1) -> EmailMessage:
        parsed = email.message_from_bytes(self.mails[index].content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@contextmanager
def smtp_collector() -> Iterator[tuple[Collect, MailSettings]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    collect = Collect()
    controller = Controller(collect, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collect, MailSettings(host="127.0.0.1", port=port, tls="none", user="",
                                    password="", sender="MOTA <hello@mota.test>")  # fmt: skip
    finally:
        controller.stop()
