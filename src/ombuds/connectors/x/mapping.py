"""X API v2 posts as mention fields (pure: no network).

A page is ``{"data": [posts], "includes": {"users": [...]}, "meta": {...}}``; each post's author
comes from ``includes.users`` by ``author_id`` (the ``expansions=author_id`` answer). A record
keeps the post with its author, in the shape of a single-post lookup, so it reads alone.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime

from ombuds.connectors.http import Unreadable, count_at, object_at, text_at

CHANNEL = "x"
#: X ids are snowflakes: milliseconds since this moment, shifted left 22 bits.
SNOWFLAKE_EPOCH_MS = 1288834974657


def post_record(post: object, users: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    """The post with its author, as a record keeps it."""
    author = users.get(str(post.get("author_id"))) if isinstance(post, dict) else None
    return {"data": post, "includes": {"users": [author] if author is not None else []}}


def users_by_id(page: Mapping[str, object]) -> dict[str, Mapping[str, object]]:
    includes = page.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    return {
        str(user["id"]): user
        for user in users or []
        if isinstance(user, dict) and isinstance(user.get("id"), str)
    }


def post_fields(record: Mapping[str, object]) -> dict[str, object]:
    """A record (post and author) as mention fields; ``Unreadable`` names what is missing."""
    post = object_at(record, "data")
    post_id = text_at(post, "id", field="external_id")
    author_id = text_at(post, "author_id")
    author = users_by_id(record).get(author_id)
    if author is None:
        raise Unreadable(f"the author {author_id[:30]} is not among the answer's users", "author_handle")
    username = text_at(author, "username", field="author_handle")
    metrics = post.get("public_metrics")
    references = post.get("referenced_tweets")
    replied = [
        ref["id"]
        for ref in (references if isinstance(references, list) else [])
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and isinstance(ref.get("id"), str)
    ]
    followers = author.get("public_metrics")
    return {
        "external_id": post_id,
        "author_handle": username,
        "author_name": author.get("name") or None,
        "text": html.unescape(text_at(post, "text")),  # X escapes &, < and > in post text
        "created_at": text_at(post, "created_at"),
        "channel": CHANNEL,
        "url": f"https://x.com/{username}/status/{post_id}",
        "followers": count_at(followers, "followers_count") if isinstance(followers, dict) else None,
        "in_reply_to": replied[0] if replied else None,
        "is_public": True,
        "metrics": {name: value for name, value in metrics.items() if count_at(metrics, name) is not None}
        if isinstance(metrics, dict)
        else {},
    }


def id_key(value: object) -> str | None:
    """A post id (decimal digits, growing with time) or ``None`` when it is not one."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 25:
        return value  # isascii: "²".isdigit() is true, yet int("²") fails
    return None


def posted_at(post_id: str) -> datetime:
    """When a post was made, read from its id."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, tz=UTC)
