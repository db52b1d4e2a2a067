"""The id of a reply someone posted by hand, as they paste it: the message's id on its channel, or a
link to the message, whose last part is its id (``https://x.com/larkspur/status/1864…`` →
``1864…``, ``https://mastodon.social/@larkspur/1134…`` → ``1134…``). Stored as the outbound
message's id, it lets the customer's answers to that message join the case. Pure.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ombuds.errors import InvalidInput
from ombuds.mentions.schemas import MAX_ID_CHARS


def posted_id(typed: str) -> str | None:
    """The message id in what was typed; None for nothing typed; InvalidInput naming the field."""
    text = typed.strip()
    if not text:
        return None
    if text.lower().startswith(("http://", "https://")):
        parts = [part for part in urlsplit(text).path.split("/") if part]
        if not parts:
            raise InvalidInput(
                f"external_id: {text[:80]!r} links to no post; paste the post's own link, or its id"
            )
        text = parts[-1]
    if len(text) > MAX_ID_CHARS or any(char.isspace() or char == "\x00" for char in text):
        raise InvalidInput(
            f"external_id: a post's id has no spaces and at most {MAX_ID_CHARS} characters; "
            "paste the post's own link, or its id"
        )
    return text
