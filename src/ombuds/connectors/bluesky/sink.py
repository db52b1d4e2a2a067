"""Replies on Bluesky: ``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` whose
``reply`` names its parent and its thread's root by strong reference (URI and CID)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import OutgoingReply, SentReply, SinkRefused
from ombuds.connectors.bluesky.client import Bluesky
from ombuds.connectors.bluesky.config import BlueskyConfig

GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
CREATE = "/xrpc/com.atproto.repo.createRecord"


def strong_ref(value: object) -> dict[str, str] | None:
    """``{"uri", "cid"}`` when ``value`` is one, else ``None``."""
    if isinstance(value, dict) and isinstance(value.get("uri"), str) and isinstance(value.get("cid"), str):
        return {"uri": value["uri"], "cid": value["cid"]}
    return None


def reply_refs(parent: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """The ``reply`` of a post answering ``parent`` (a post view): the parent, and its root (the
    parent's own root when it is itself a reply, else the parent)."""
    this = strong_ref(parent)
    if this is None:
        raise SinkRefused("Bluesky: the post answered has no URI and CID")
    record = parent.get("record")
    reply = record.get("reply") if isinstance(record, dict) else None
    root = strong_ref(reply.get("root")) if isinstance(reply, dict) else None
    return {"root": root or this, "parent": this}


class BlueskySink:
    kind: ClassVar[str] = "bluesky"

    def __init__(
        self,
        config: BlueskyConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.clock = clock
        self.bluesky = Bluesky(config, timeout, clock, transport)

    def send(self, reply: OutgoingReply) -> SentReply:
        if not reply.is_public:
            raise SinkRefused(
                "Bluesky: private replies (chat messages) are not sent from here; answer publicly"
            )
        session = self.bluesky.session(writing=True)
        api = self.bluesky.api
        headers = {"Authorization": f"Bearer {session.access_jwt}"}
        now = self.clock()
        post: dict[str, object] = {
            "$type": "app.bsky.feed.post",
            "text": reply.text,
            "createdAt": now.isoformat().replace("+00:00", "Z"),
        }
        with api.client() as client:
            if reply.in_reply_to:
                found = api.write_json(
                    client, "GET", GET_POSTS, params={"uris": reply.in_reply_to}, headers=headers
                )
                posts = found.get("posts") if isinstance(found, dict) else None
                if not isinstance(posts, list) or not posts or not isinstance(posts[0], dict):
                    raise SinkRefused(f"Bluesky: the post answered is gone ({reply.in_reply_to[:200]})")
                post["reply"] = reply_refs(posts[0])
            body = {"repo": session.did, "collection": "app.bsky.feed.post", "record": post}
            made = api.write_json(client, "POST", CREATE, json=body, headers=headers)
        uri = made.get("uri") if isinstance(made, dict) else None
        if not isinstance(uri, str) or not uri:
            raise SinkRefused(f"Bluesky: createRecord answered without the post's URI: {str(made)[:200]}")
        return SentReply(external_id=uri, sent_at=now)
