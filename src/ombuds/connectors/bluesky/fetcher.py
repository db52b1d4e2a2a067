"""Bluesky mentions, replies and quotes (``app.bsky.notification.listNotifications``) or a search
(``app.bsky.feed.searchPosts``, newest first), walked by the listing's ``cursor``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import Batch, Cursor, FetchFailed
from ombuds.connectors.bluesky.client import Bluesky
from ombuds.connectors.bluesky.config import BlueskyConfig
from ombuds.connectors.bluesky.mapping import (
    POST_REASONS,
    is_post_notification,
    key_order,
    notification_key,
    post_fields,
    search_key,
)
from ombuds.connectors.http import Page, Stretch, Unreadable, Walk, batch_of, walk_down

NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"


class BlueskyFetcher:
    kind: ClassVar[str] = "bluesky"

    def __init__(
        self,
        config: BlueskyConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.bluesky = Bluesky(config, timeout, clock, transport)
        if config.query is None:
            self.path, self.list_key, self.key = NOTIFICATIONS, "notifications", notification_key
        else:
            self.path, self.list_key, self.key = SEARCH, "posts", search_key

    def fetch(self, cursor: Cursor | None) -> Batch:
        walk = Walk.from_cursor(cursor, name="Bluesky")
        try:
            stretch = self._walk(walk)
        except FetchFailed as exc:
            if "ExpiredToken" not in str(exc):
                raise
            self.bluesky.forget()  # the kept token ran out early: sign in again, once
            stretch = self._walk(walk)
        return batch_of(stretch, self._fields, items=[i for i in stretch.items if is_post_notification(i)])

    def _walk(self, walk: Walk) -> Stretch[object]:
        session = self.bluesky.session(writing=False)
        headers = {"Authorization": f"Bearer {session.access_jwt}"}
        with self.bluesky.api.client() as client:
            return walk_down(
                walk,
                lambda at: self._page(client, at, headers, self.key),
                order=key_order,
                max_pages=self.config.pages_per_fetch,
                first_walk_pages=self.config.first_walk_pages,
            )

    def _page(
        self, client: httpx.Client, walk: Walk, headers: dict[str, str], key: Callable[[object], str | None]
    ) -> Page[object]:
        params: list[tuple[str, str | int]] = [("limit", self.config.page_size)]
        if self.config.query is not None:
            params += [("q", self.config.query), ("sort", "latest")]
            if walk.floor is not None:
                params.append(("since", walk.floor))
        else:
            params += [("reasons", reason) for reason in sorted(POST_REASONS)]
        if walk.page is not None:
            params.append(("cursor", walk.page))
        data = self.bluesky.api.read_json(client, "GET", self.path, params=params, headers=headers)
        found = data.get(self.list_key) if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(found, list):
            raise FetchFailed(f"Bluesky: GET {self.path} answered without {self.list_key}: {str(data)[:200]}")
        after = data.get("cursor")
        return Page(
            [(key(item), item) for item in found], after if isinstance(after, str) and after else None
        )

    def _fields(self, item: object) -> Mapping[str, object]:
        if not isinstance(item, dict):
            raise Unreadable(f"a {type(item).__name__}, not an object")
        return post_fields(item)
