"""Where replies go: an SMTP server for email, a webhook the brand runs for everything else.

A sink raises ``SinkRetry`` for a failure that may pass (a timeout, no connection, a 5xx, an SMTP
4xx) and ``SinkRefused`` for one that will not (an HTTP 4xx, an SMTP 5xx); either carries the
answer, never the sink's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import ClassVar

import httpx

from ombuds.clock import utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkError, SinkRefused, SinkRetry

SIGNATURE_HEADER = "X-Ombuds-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: HTTP answers that say "later", not "never", although they are 4xx.
RETRYABLE_4XX = frozenset({408, 425, 429})
ANSWER_KEPT_CHARS = 2000


# The errors are the connectors' own, so every sink (here or in a connector) raises the same ones.
__all__ = ["SinkError", "SinkRefused", "SinkRetry", "SmtpSink", "WebhookSink", "signature"]


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of the body with the sink's secret, as the receiver recomputes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class WebhookSink:
    """POSTs the reply as JSON, signed, with its idempotency key, so the receiver can drop repeats."""

    kind: ClassVar[str] = "webhook"
    url: str
    secret: str
    timeout_seconds: float = 10.0
    transport: httpx.BaseTransport | None = None

    def send(self, reply: OutgoingReply) -> SentReply:
        key = reply.metadata.get("idempotency_key", "")
        body = json.dumps(
            {
                "text": reply.text,
                "in_reply_to": reply.in_reply_to,
                "recipient": reply.recipient,
                "is_public": reply.is_public,
                **dict(reply.metadata),
            },
            sort_keys=True,
        ).encode()
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: key}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, body)
        try:
            with httpx.Client(timeout=self.timeout_seconds, transport=self.transport) as client:
                response = client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise SinkRetry(
                f"webhook timed out after {self.timeout_seconds:g}s ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise SinkRetry(f"webhook could not be reached: {type(exc).__name__}: {exc}") from None
        answer = response.text[:ANSWER_KEPT_CHARS]
        if response.status_code >= 500 or response.status_code in RETRYABLE_4XX:
            raise SinkRetry(f"webhook answered {response.status_code}: {answer}")
        if response.status_code >= 400:
            raise SinkRefused(f"webhook refused the reply with {response.status_code}: {answer}")
        return SentReply(external_id=_answer_id(response) or key, sent_at=utcnow())


def _answer_id(response: httpx.Response) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    found = data.get("id") if isinstance(data, dict) else None
    return str(found)[:300] if found is not None else None


@dataclass(frozen=True)
class SmtpSink:
    """Sends a private reply by email; the Message-ID is the reply's external id."""

    kind: ClassVar[str] = "smtp"
    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0

    def send(self, reply: OutgoingReply) -> SentReply:
        if not reply.recipient or "@" not in reply.recipient:
            raise SinkRefused(f"no email address to send to (the customer is known as {reply.recipient!r})")
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = reply.recipient
        message["Subject"] = reply.metadata.get("subject", "Your message")
        message_id = make_msgid(domain=self.from_address.rpartition("@")[2] or None)
        message["Message-ID"] = message_id
        message["X-Ombuds-Idempotency-Key"] = reply.metadata.get("idempotency_key", "")
        if reply.in_reply_to:
            message["In-Reply-To"] = reply.in_reply_to
        message.set_content(reply.text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
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
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise SinkRetry(f"SMTP server {self.host}:{self.port}: {type(exc).__name__}: {exc}") from None
        return SentReply(external_id=message_id, sent_at=utcnow())
