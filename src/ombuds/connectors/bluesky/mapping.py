"""Bluesky posts (notifications and search results) as mention fields (pure: no network).

A notification carries the post's ``record`` (text, createdAt, reply refs) beside its ``uri`` and
``author``; a search result is a post view with the same parts plus its counts. The mention's id
is the post's ``at://`` URI, which a reply needs to name its parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ombuds.connectors.http import count_at, object_at, text_at

CHANNEL = "bluesky"
#: Notification reasons that carry a post addressed to the account.
POST_REASONS = frozenset({"mention", "reply", "quote"})
COUNTS = {"likeCount": "likes", "repostCount": "reposts", "replyCount": "replies", "quoteCount": "quotes"}


def post_fields(item: Mapping[str, object]) -> dict[str, object]:
    """A notification or post view as mention fields; ``Unreadable`` names what is missing."""
    uri = text_at(item, "uri", field="external_id")
    author = object_at(item, "author")
    handle = text_at(author, "handle", field="author_handle")
    record = object_at(item, "record")
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    parent_uri = parent.get("uri") if isinstance(parent, dict) else None
    return {
        "external_id": uri,
        "author_handle": handle,
        "author_name": author.get("displayName") or None,
        "text": text_at(record, "text"),
        "created_at": text_at(record, "createdAt", field="created_at"),
        "channel": CHANNEL,
        "url": f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
        "in_reply_to": parent_uri if isinstance(parent_uri, str) else None,
        "is_public": True,
        "metrics": {name: item[key] for key, name in COUNTS.items() if count_at(item, key) is not None},
    }


def is_post_notification(item: object) -> bool:
    """Whether a notification is a post for the account (not a like, a repost or a follow)."""
    return not isinstance(item, dict) or item.get("reason", "mention") in POST_REASONS


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def notification_key(item: object) -> str | None:
    """When a notification was indexed: the order listNotifications pages in."""
    moment = _moment(item.get("indexedAt")) if isinstance(item, dict) else None
    return moment.isoformat() if moment is not None else None


def search_key(item: object) -> str | None:
    """A search result's sort time: the earlier of when it says it was written and when it was indexed."""
    if not isinstance(item, dict):
        return None
    record = item.get("record")
    moments = [
        moment
        for moment in (
            _moment(item.get("indexedAt")),
            _moment(record.get("createdAt") if isinstance(record, dict) else None),
        )
        if moment is not None
    ]
    return min(moments).isoformat() if moments else None


def key_order(key: str) -> int:
    """Microseconds since the epoch: a later moment is newer."""
    moment = datetime.fromisoformat(key)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond
