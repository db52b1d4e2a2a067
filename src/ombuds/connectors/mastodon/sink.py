"""Replies on Mastodon: ``POST /api/v1/statuses`` with ``in_reply_to_id``."""

from __future__ import annotations

import re
from typing import ClassVar

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkRefused
from ombuds.connectors.mastodon.config import MastodonConfig, mastodon_api


def addressed(text: str, recipient: str | None) -> str:
    """The text with ``@recipient`` in front unless it already names them: Mastodon delivers a
    reply (and a private one at all) only to the accounts it mentions."""
    if not recipient:
        return text
    handle = recipient.lstrip("@")
    # the whole handle as a mention of its own: "@alice" alone would name a local alice, and
    # "@alice@mastodon.social.example" someone else entirely
    whole = re.compile(rf"(?<![\w@])@{re.escape(handle)}(?![\w@.-]*[\w@-])", re.IGNORECASE)
    if whole.search(text):
        return text
    return f"@{handle} {text}"


class MastodonSink:
    kind: ClassVar[str] = "mastodon"

    def __init__(
        self,
        config: MastodonConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.clock = clock
        self.api = mastodon_api(config, timeout=timeout, clock=clock, transport=transport)

    def send(self, reply: OutgoingReply) -> SentReply:
        body: dict[str, object] = {
            "status": addressed(reply.text, reply.recipient),
            # a private mention is answered privately: only the accounts the reply names see it
            "visibility": "public" if reply.is_public else "direct",
        }
        if reply.in_reply_to:
            body["in_reply_to_id"] = reply.in_reply_to
        headers = {}
        if key := reply.metadata.get("idempotency_key"):
            headers["Idempotency-Key"] = key  # Mastodon answers a repeat with the status it made
        with self.api.client() as client:
            status = self.api.write_json(client, "POST", "/api/v1/statuses", json=body, headers=headers)
        found = status.get("id") if isinstance(status, dict) else None
        if not isinstance(found, str) or not found:
            raise SinkRefused(f"{self.api.name}: POST /api/v1/statuses answered without a status id")
        return SentReply(external_id=found, sent_at=self.clock())
