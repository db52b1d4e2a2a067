"""Reddit listing children (posts ``t3``, comments ``t1``) as mention fields (pure: no network).

Listings are read with ``raw_json=1``, so text comes as written, without HTML escapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ombuds.connectors.http import Unreadable, count_at, object_at, text_at

CHANNEL = "reddit"
SITE = "https://www.reddit.com"


def child_fields(child: Mapping[str, object]) -> dict[str, object]:
    """A listing child as mention fields; ``Unreadable`` names what is missing."""
    kind = child.get("kind")
    data = object_at(child, "data")
    if kind == "t3":
        title = text_at(data, "title", field="text")
        body = data.get("selftext")
        link = data.get("url")
        if isinstance(body, str) and body.strip():
            text = f"{title}\n\n{body.strip()}"
        elif isinstance(link, str) and not data.get("is_self"):
            text = f"{title}\n\n{link}"  # a link post: the link is what it says
        else:
            text = title
        parent = None
    elif kind == "t1":
        text = text_at(data, "body", field="text")
        parent = text_at(data, "parent_id", field="in_reply_to")
    else:
        raise Unreadable(f"a {str(kind)[:20]!r} item, not a post (t3) or a comment (t1)", "kind")
    created = data.get("created_utc")
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise Unreadable("created_utc is missing or not a number", "created_at")
    permalink = data.get("permalink")
    metrics = {name: data[name] for name in ("score", "num_comments") if count_at(data, name) is not None}
    return {
        "external_id": text_at(data, "name", field="external_id"),
        "author_handle": text_at(data, "author", field="author_handle"),
        "text": text,
        "created_at": datetime.fromtimestamp(created, tz=UTC).isoformat(),
        "channel": CHANNEL,
        "url": SITE + permalink if isinstance(permalink, str) and permalink.startswith("/") else None,
        "in_reply_to": parent,
        "is_public": True,
        "metrics": metrics,
    }


def fullname_key(child: object) -> str | None:
    """The child's fullname (``t3_1h2k3x``) when it is one, the key its listing is ordered by."""
    data = child.get("data") if isinstance(child, dict) else None
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str):
        return None
    prefix, _, base36 = name.partition("_")
    return name if prefix in ("t1", "t3") and base36.isalnum() and len(base36) < 16 else None


def key_order(fullname: str) -> int:
    """Reddit ids are base-36 counters: a larger one is newer."""
    return int(fullname.partition("_")[2], 36)
