"""Fetch a feed once: conditional GET, parse with feedparser, one record per new item.

The cursor (JSON) keeps the feed's ETag and Last-Modified, sent back as If-None-Match and
If-Modified-Since so an unchanged feed costs one 304, and the ids of the items already handed
over, so an item comes once however often the feed is polled (ingest would drop a repeat anyway).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import unescape
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser
import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ombuds import outbound
from ombuds.connectors.base import Batch, Cursor, FetchFailed, RateLimited, RawRecord
from ombuds.connectors.http import DEFAULT_WAIT_SECONDS, wait_seconds

MAX_FEED_BYTES = 5 * 1024 * 1024
SEEN_KEPT = 1000  # more than any feed lists at once, so an item that stays listed is never re-sent
_QUERY = re.compile(r"\?[^\s'\"]*")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/blockquote)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v]+")


class RssConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000, description="The feed's address (http or https).")
    channel: str = Field(default="rss", pattern=r"^[a-z0-9][a-z0-9._-]{0,31}$", description="Stored channel.")

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("give an http:// or https:// address")
        return value.strip()


def shown_url(url: str) -> str:
    """The feed's address as errors show it: a token in its query or user part stays out of sight."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" + ("?…" if parts.query else "")


def _without_query(message: str) -> str:
    # httpx names the URL it failed on, query and all (a redirect's target too)
    return _QUERY.sub("?…", message)


def _plain(html: str) -> str:
    text = unescape(_TAG.sub(" ", _BREAK.sub("\n", html)))
    return "\n".join(line for line in (_SPACE.sub(" ", part).strip() for part in text.splitlines()) if line)


def _when(entry: Mapping[str, Any]) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    return None


def item_fields(entry: Mapping[str, Any], *, feed_title: str, channel: str) -> dict[str, object]:
    """An item as the mentions API names things; a missing date stays missing (a dead letter)."""
    fields: dict[str, object] = {"channel": channel}
    identity = entry.get("id") or entry.get("link")
    if identity:
        fields["external_id"] = str(identity)
    author = entry.get("author") or feed_title
    if author:
        fields["author_handle"] = str(author)
    title, summary = _plain(str(entry.get("title", ""))), _plain(str(entry.get("summary", "")))
    text = "\n\n".join(part for part in _title_and_summary(title, summary) if part)
    if text:
        fields["text"] = text
    created_at = _when(entry)
    if created_at:
        fields["created_at"] = created_at
    if entry.get("link"):
        fields["url"] = str(entry["link"])
    return fields


def _title_and_summary(title: str, summary: str) -> tuple[str, str]:
    """Both, unless one repeats the other: review feeds title an item with the start of its text
    ("Flight LK 212 was three hours late and nobody at the gate kn…"), which read twice otherwise."""
    start = title.rstrip(".… \t").rstrip()
    if summary and start and summary.startswith(start):
        return "", summary
    return title, summary


class RssFetcher:
    kind: ClassVar[str] = "rss"

    def __init__(self, config: RssConfig, *, timeout: float, client: httpx.Client | None = None) -> None:
        self.config = config
        self.timeout = timeout
        self._client = client
        self.shown = shown_url(config.url)

    def _get(self, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        try:
            if self._client is not None:
                return self._read_capped(self._client, headers)
            with outbound.client(follow_redirects=True, timeout=self.timeout) as client:
                return self._read_capped(client, headers)
        except httpx.TimeoutException:
            raise FetchFailed(f"{self.shown}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise FetchFailed(f"{self.shown}: {type(exc).__name__}: {_without_query(str(exc))}") from None

    def _read_capped(self, client: httpx.Client, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """The answer and its body, read no further than ``MAX_FEED_BYTES`` once unpacked: a
        small compressed answer can unpack to gigabytes, and the poller runs inside the server."""
        with client.stream("GET", self.config.url, headers=headers, timeout=self.timeout) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise FetchFailed(f"{self.shown}: the feed is over {MAX_FEED_BYTES} bytes")
            return response, bytes(body)

    def fetch(self, cursor: Cursor | None) -> Batch:
        state: dict[str, Any] = json.loads(cursor.value) if cursor is not None else {}
        headers = {
            "User-Agent": "Ombuds feed reader",
            "Accept": "application/rss+xml, application/atom+xml, */*",
        }
        if state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state.get("modified"):
            headers["If-Modified-Since"] = str(state["modified"])
        response, content = self._get(headers)
        if response.status_code == 304:
            return Batch(records=[], cursor=cursor, is_last=True)
        asked = wait_seconds(response.headers, now=datetime.now(UTC))
        if response.status_code == 429 or (response.status_code == 503 and asked is not None):
            wait = asked if asked is not None else DEFAULT_WAIT_SECONDS
            raise RateLimited(f"{self.shown}: HTTP {response.status_code}, wait {wait:g} s", retry_after=wait)
        if response.status_code >= 400:
            raise FetchFailed(f"{self.shown}: HTTP {response.status_code}")
        parsed = feedparser.parse(content)
        if parsed.get("bozo") and not parsed.entries:
            raise FetchFailed(f"{self.shown}: not a feed ({parsed.get('bozo_exception')})")
        feed_title = str(parsed.feed.get("title") or urlsplit(self.config.url).hostname or "feed")
        seen: list[str] = list(state.get("seen", []))
        known = set(seen)
        records: list[RawRecord] = []
        # feeds list newest first; hand items over oldest first, as they were written
        for position, entry in enumerate(reversed(parsed.entries), start=1):
            fields = item_fields(entry, feed_title=feed_title, channel=self.config.channel)
            identity = str(fields.get("external_id", ""))
            if identity and identity in known:
                continue
            if identity:
                known.add(identity)
                seen.append(identity)
            raw = json.dumps(entry, ensure_ascii=False, default=str, sort_keys=True).encode()
            records.append(RawRecord(position=position, raw=raw, raw_format="rss-item+json", fields=fields))
        new_state = {
            "etag": response.headers.get("etag"),
            "modified": response.headers.get("last-modified"),
            "seen": seen[-SEEN_KEPT:],
        }
        return Batch(records=records, cursor=Cursor(json.dumps(new_state)), is_last=True)
