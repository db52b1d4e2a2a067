"""Where replies go: an SMTP server for email, a webhook the brand runs for everything else.

The SMTP sender is the email connector's (``ombuds.connectors.email.smtp``), so a reply by the
brand's reply sink and one by an email source thread the same way.

A sink raises ``SinkRetry`` for a failure that may pass (a timeout, no connection, a 5xx, an SMTP
4xx) and ``SinkRefused`` for one that will not (an HTTP 4xx, an SMTP 5xx); either carries the
answer, never the sink's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import ClassVar

import httpx

from ombuds.clock import utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkError, SinkRefused, SinkRetry
from ombuds.connectors.email.smtp import SmtpSink

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
