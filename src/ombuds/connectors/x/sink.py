"""Replies on X: ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``, signed with the brand
account's OAuth 1.0a keys (they do not expire, unlike OAuth 2.0 user tokens)."""

from __future__ import annotations

import json
from typing import ClassVar

import httpx
from oauthlib.oauth1 import Client as OAuth1Client

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkRefused
from ombuds.connectors.http import Api
from ombuds.connectors.x.config import XConfig

PATH = "/2/tweets"


class XSink:
    kind: ClassVar[str] = "x"

    def __init__(
        self,
        config: XConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not (
            config.consumer_key
            and config.consumer_secret
            and config.access_token
            and config.access_token_secret
        ):
            raise ValueError("an X sink needs the account's four OAuth 1.0a keys")
        self.clock = clock
        self.url = config.api_url.rstrip("/") + PATH
        self.signer = OAuth1Client(
            config.consumer_key,
            client_secret=config.consumer_secret,
            resource_owner_key=config.access_token,
            resource_owner_secret=config.access_token_secret,
        )
        self.api = Api(name="X", base_url=config.api_url, timeout=timeout, clock=clock, transport=transport)

    def send(self, reply: OutgoingReply) -> SentReply:
        if not reply.is_public:
            raise SinkRefused("X: private replies (direct messages) are not sent from here; answer publicly")
        body: dict[str, object] = {"text": reply.text}
        if reply.in_reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply.in_reply_to}
        # A JSON body is not part of an OAuth 1.0a signature: method, address and the keys are.
        _, headers, _ = self.signer.sign(
            self.url, http_method="POST", headers={"Content-Type": "application/json"}
        )
        with self.api.client() as client:
            answer = self.api.write_json(
                client, "POST", PATH, content=json.dumps(body).encode(), headers=headers
            )
        data = answer.get("data") if isinstance(answer, dict) else None
        found = data.get("id") if isinstance(data, dict) else None
        if not isinstance(found, str) or not found:
            raise SinkRefused(f"X: POST {PATH} answered without the post's id: {str(answer)[:200]}")
        return SentReply(external_id=found, sent_at=self.clock())
