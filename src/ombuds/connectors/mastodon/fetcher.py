"""Mastodon mentions (``GET /api/v1/notifications?types[]=mention``) or a hashtag's timeline
(``GET /api/v1/timelines/tag/:hashtag``), walked newest first with ``since_id`` and ``max_id``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import Batch, Cursor, FetchFailed
from ombuds.connectors.http import Page, Unreadable, Walk, batch_of, walk_down
from ombuds.connectors.mastodon.config import MastodonConfig, mastodon_api
from ombuds.connectors.mastodon.mapping import id_key, notification_fields, status_fields


class MastodonFetcher:
    kind: ClassVar[str] = "mastodon"

    def __init__(
        self,
        config: MastodonConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.api = mastodon_api(config, timeout=timeout, clock=clock, transport=transport)
        tag = (config.hashtag or "").lstrip("#")
        self.path = f"/api/v1/timelines/tag/{tag}" if tag else "/api/v1/notifications"

    def fetch(self, cursor: Cursor | None) -> Batch:
        walk = Walk.from_cursor(cursor, name=self.api.name)
        with self.api.client() as client:
            stretch = walk_down(
                walk,
                lambda at: self._page(client, at),
                order=int,
                max_pages=self.config.pages_per_fetch,
                first_walk_pages=self.config.first_walk_pages,
            )
        return batch_of(stretch, self._fields)

    def _page(self, client: httpx.Client, walk: Walk) -> Page[object]:
        params: dict[str, str | int] = {"limit": self.config.page_size}
        if not self.config.hashtag:
            params["types[]"] = "mention"
        if walk.floor is not None:
            params["since_id"] = walk.floor
        if walk.page is not None:
            params["max_id"] = walk.page
        response = self.api.read(client, "GET", self.path, params=params)
        data = self.api.json_of(response)
        if not isinstance(data, list):
            raise FetchFailed(f"{self.api.name}: GET {self.path} answered {type(data).__name__}, not a list")
        items = [(id_key(item.get("id")) if isinstance(item, dict) else None, item) for item in data]
        return Page(items, _older_page(response))

    def _fields(self, item: object) -> Mapping[str, object]:
        if not isinstance(item, dict):
            raise Unreadable(f"a {type(item).__name__}, not an object")
        read = status_fields if self.config.hashtag else notification_fields
        return read(item, instance_host=self.config.host)


def _older_page(response: httpx.Response) -> str | None:
    """The ``max_id`` of the Link header's ``next`` page (older items), if there is one."""
    link = response.links.get("next")
    if not link or not link.get("url"):
        return None
    found = parse_qs(urlsplit(link["url"]).query).get("max_id")
    return found[0] if found and id_key(found[0]) else None
