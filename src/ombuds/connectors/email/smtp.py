"""Replies by email: one SMTP sender for the email connector and the brand's reply sink alike.

A reply answers the customer's message in their mail program's thread: In-Reply-To and References
carry the Message-ID it answers, the subject is the one the reply delivery chose ("Re: ..."), and
the Message-ID generated here is the reply's external id, so the customer's next answer, which
quotes it back in In-Reply-To, threads into the same case.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import ClassVar

from ombuds import outbound
from ombuds.clock import utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkRefused, SinkRetry
from ombuds.connectors.email.config import TlsMode

ANSWER_KEPT_CHARS = 2000
_MESSAGE_ID = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")


@dataclass(frozen=True)
class SmtpSink:
    """Sends a private reply by email; the Message-ID is the reply's external id.

    ``metadata`` may carry ``subject``, ``references`` (the parent's References, space-separated)
    and ``idempotency_key``, which goes along as a header so a receiver can drop a repeat.
    """

    kind: ClassVar[str] = "smtp"
    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0
    tls: TlsMode = TlsMode.NONE
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    #: the host was typed in by a brand's admin (an email source's): only addresses the outbound
    #: policy allows; an operator's own sink may use the machine's mail server
    typed_in: bool = False

    def send(self, reply: OutgoingReply) -> SentReply:
        if not reply.recipient or "@" not in reply.recipient:
            raise SinkRefused(f"no email address to send to (the customer is known as {reply.recipient!r})")
        message = self.message(reply)
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            said = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            answer = f"SMTP {exc.smtp_code}: {said[:ANSWER_KEPT_CHARS]}"
            raise (SinkRetry if 400 <= exc.smtp_code < 500 else SinkRefused)(answer) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise SinkRefused(f"SMTP refused the recipient: {list(exc.recipients)}") from None
        except outbound.AddressRefused as exc:
            raise SinkRefused(f"SMTP server {self.host}:{self.port} was not connected to: {exc}") from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise SinkRetry(f"SMTP server {self.host}:{self.port}: {type(exc).__name__}: {exc}") from None
        return SentReply(external_id=str(message["Message-ID"]), sent_at=utcnow())

    def message(self, reply: OutgoingReply) -> EmailMessage:
        """The email as it goes out, threaded to the message it answers."""
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = reply.recipient or ""
        message["Subject"] = reply.metadata.get("subject", "Your message")
        message["Message-ID"] = make_msgid(domain=self.from_address.rpartition("@")[2] or None)
        message["X-Ombuds-Idempotency-Key"] = reply.metadata.get("idempotency_key", "")
        # Only a real Message-ID threads; the id of a post on another channel (a survey by email
        # to someone who wrote on X) would make the header invalid.
        if reply.in_reply_to and _MESSAGE_ID.match(reply.in_reply_to):
            earlier = [
                ref
                for ref in reply.metadata.get("references", "").split()
                if _MESSAGE_ID.match(ref) and ref != reply.in_reply_to
            ]
            message["In-Reply-To"] = reply.in_reply_to
            message["References"] = " ".join([*earlier, reply.in_reply_to])
        message.set_content(reply.text)
        return message

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context or ssl.create_default_context()
        plain, secure = (_GuardedSmtp, _GuardedSmtpSsl) if self.typed_in else (smtplib.SMTP, smtplib.SMTP_SSL)
        if self.tls is TlsMode.SSL:
            return secure(self.host, self.port, timeout=self.timeout_seconds, context=context)
        smtp = plain(self.host, self.port, timeout=self.timeout_seconds)
        if self.tls is TlsMode.STARTTLS:
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp


class _GuardedSmtp(smtplib.SMTP):
    """SMTP whose socket goes only to an address the outbound policy allows (``outbound.open_socket``)."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return outbound.open_socket(host, port, timeout)


class _GuardedSmtpSsl(smtplib.SMTP_SSL):
    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = outbound.open_socket(host, port, timeout)
        return self.context.wrap_socket(sock, server_hostname=host)
