"""Mastodon statuses as mention fields (pure: no network).

A status's ``content`` is HTML (paragraphs, line breaks, links whose long parts hide in
``invisible`` spans, mentions as ``h-card`` links); it becomes the plain text a person reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser

from ombuds.connectors.http import Unreadable, count_at, object_at, text_at

CHANNEL = "mastodon"
#: Visibilities anyone may read; "private" (followers only) and "direct" are not public.
PUBLIC_VISIBILITIES = frozenset({"public", "unlisted"})


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of_html(content: str) -> str:
    """The words of a status's HTML: paragraphs apart by a blank line, ``<br>`` as a line break,
    links whole (Mastodon shortens them for display only)."""
    parser = _TextOfHtml()
    parser.feed(content)
    parser.close()
    lines = "".join(parser.parts).split("\n")
    return "\n".join(line.strip() for line in lines).strip()


def full_handle(acct: str, *, instance_host: str) -> str:
    """``name@host``: Mastodon writes local accounts without their host."""
    return acct if "@" in acct else f"{acct}@{instance_host}"


def status_fields(status: Mapping[str, object], *, instance_host: str) -> dict[str, object]:
    """A status as mention fields; ``Unreadable`` names what is missing."""
    account = object_at(status, "account")
    content = status.get("content")
    body = text_of_html(content) if isinstance(content, str) else ""
    warning = status.get("spoiler_text")
    if isinstance(warning, str) and warning.strip():
        body = f"{warning.strip()}\n\n{body}".strip()
    if not body:
        raise Unreadable("the status has no text (media only, or content missing)", "content")
    reply_to = status.get("in_reply_to_id")
    url = status.get("url") or status.get("uri")
    return {
        "external_id": text_at(status, "id", field="external_id"),
        "author_handle": full_handle(
            text_at(account, "acct", field="author_handle"), instance_host=instance_host
        ),
        "author_name": account.get("display_name") or None,
        "text": body,
        "created_at": text_at(status, "created_at"),
        "channel": CHANNEL,
        "url": url if isinstance(url, str) else None,
        "followers": count_at(account, "followers_count"),
        "in_reply_to": str(reply_to) if isinstance(reply_to, str | int) else None,
        "is_public": status.get("visibility", "public") in PUBLIC_VISIBILITIES,
    }


def notification_fields(notification: Mapping[str, object], *, instance_host: str) -> dict[str, object]:
    """A mention notification's status as mention fields."""
    if notification.get("type") != "mention":
        raise Unreadable(f"a {str(notification.get('type'))[:40]!r} notification, not a mention", "type")
    return status_fields(object_at(notification, "status"), instance_host=instance_host)


def id_key(value: object) -> str | None:
    """A Mastodon id (a decimal string that grows with time) or ``None`` when it is not one."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 40:
        return value  # isascii: "²".isdigit() is true, yet int("²") fails
    return None
