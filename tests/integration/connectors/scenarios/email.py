"""The email kind's scenario: a folder of the session's Dovecot mailbox, replies to an SMTP server.

Mail arrives by IMAP APPEND, as a mail server delivers it; the IMAP port the source is given is a
front (``ImapFront``) that passes every connection through to Dovecot but can answer one sign-in
the way a provider throttling an account does.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest

from ombuds.clock import utcnow
from tests.support import dovecot
from tests.support.smtp_server import SmtpCatcher


def customer_email(
    *, sender: str, message_id: str, subject: str, text: str, headers: dict[str, str] | None = None
) -> EmailMessage:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = dovecot.USER
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message


def imap_server() -> dovecot.DovecotServer:
    try:
        return dovecot.shared_server()
    except dovecot.DovecotUnavailable as exc:
        if os.geteuid() != 0:
            pytest.skip(f"{exc} (not root, so `make test` could not install it)")
        pytest.fail(f"{exc}; run `make test` (or scripts/install-system-deps.sh) as root first")


class EmailScenario:
    kind = "email"

    def __init__(self) -> None:
        self.folder = f"contract-{uuid.uuid4().hex[:10]}"
        self.senders: dict[str, str] = {}
        self.smtp = SmtpCatcher(username=dovecot.USER, password=dovecot.PASSWORD)

    @contextmanager
    def start(self) -> Iterator[dict[str, Any]]:
        server = imap_server()
        server.create_folder(self.folder)
        with (
            dovecot.ImapFront(server.port) as front,
            self.smtp,
            tempfile.TemporaryDirectory(prefix="ombuds-attachments-") as attachments,
        ):
            self.server, self.front = server, front
            yield {
                "host": "127.0.0.1",
                "port": front.port,
                "username": server.user,
                "password": server.password,
                "folder": self.folder,
                "tls": "none",
                "smtp_host": "127.0.0.1",
                "smtp_port": self.smtp.port,
                "smtp_tls": "none",
                "smtp_from": "care@skyways.test",
                "attachments_dir": attachments,
            }

    def add_record(self, number: int) -> str:
        message_id = f"<bag-{number}.{self.folder}@mail.example.com>"
        sender = f"customer{number}@example.com"
        message = customer_email(
            sender=f"Customer {number} <{sender}>",
            message_id=message_id,
            subject=f"Lost bag on flight {number}",
            text=f"My bag was lost on flight {number}; nobody answers.",
        )
        self.server.deliver(self.folder, message.as_bytes())
        self.senders[message_id] = sender
        return message_id

    def add_malformed(self) -> None:
        message = customer_email(
            sender="", message_id=f"<nobody.{self.folder}@mail.example.com>", subject="?", text="No sender."
        )
        self.server.deliver(self.folder, message.as_bytes())

    def rate_limit_next(self, seconds: int) -> None:
        self.front.throttle_next(seconds)

    def sent_replies(self) -> list[str] | None:
        return [str(message.get_content()).strip() for message in self.smtp.received()]

    def reply_to(self, external_id: str) -> str | None:
        return self.senders[external_id]


SCENARIO = EmailScenario
