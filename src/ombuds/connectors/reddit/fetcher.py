"""A subreddit's new posts (``/r/{sub}/new``) or comments (``/r/{sub}/comments``), or a search
(``/search``, ``/r/{sub}/search``), walked newest first by the listing's ``after`` fullname."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import Batch, Cursor, FetchFailed
from ombuds.connectors.http import Page, Stretch, Unreadable, Walk, batch_of, walk_down
from ombuds.connectors.reddit.client import Reddit
from ombuds.connectors.reddit.config import RedditConfig
from ombuds.connectors.reddit.mapping import child_fields, fullname_key, key_order


def listing_path(config: RedditConfig) -> tuple[str, dict[str, str]]:
    """The listing to read and the parameters that make it newest first."""
    place = f"/r/{config.subreddit}" if config.subreddit else ""
    if config.query is not None:
        params = {"q": config.query, "sort": "new", "type": "link"}
        if config.subreddit:
            params["restrict_sr"] = "1"
        return f"{place}/search", params
    return f"{place}/{'comments' if config.comments else 'new'}", {}


class RedditFetcher:
    kind: ClassVar[str] = "reddit"

    def __init__(
        self,
        config: RedditConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.reddit = Reddit(config, timeout, clock, transport)
        self.path, self.params = listing_path(config)

    def fetch(self, cursor: Cursor | None) -> Batch:
        walk = Walk.from_cursor(cursor, name="Reddit")
        try:
            stretch = self._walk(walk)
        except FetchFailed as exc:
            if " answered 401" not in str(exc):
                raise
            self.reddit.forget()  # the kept token was refused: sign in again, once
            stretch = self._walk(walk)
        return batch_of(stretch, self._fields)

    def _walk(self, walk: Walk) -> Stretch[object]:
        headers = self.reddit.bearer(writing=False)
        with self.reddit.api.client() as client:
            return walk_down(
                walk,
                lambda at: self._page(client, at, headers),
                order=key_order,
                max_pages=self.config.pages_per_fetch,
                first_walk_pages=self.config.first_walk_pages,
            )

    def _page(self, client: httpx.Client, walk: Walk, headers: dict[str, str]) -> Page[object]:
        params = {**self.params, "limit": str(self.config.page_size), "raw_json": "1"}
        if walk.page is not None:
            params["after"] = walk.page
        data = self.reddit.api.read_json(client, "GET", self.path, params=params, headers=headers)
        listing = data.get("data") if isinstance(data, dict) and data.get("kind") == "Listing" else None
        children = listing.get("children") if isinstance(listing, dict) else None
        if not isinstance(listing, dict) or not isinstance(children, list):
            raise FetchFailed(f"Reddit: GET {self.path} answered without a Listing: {str(data)[:200]}")
        after = listing.get("after")
        return Page(
            [(fullname_key(child), child) for child in children], after if isinstance(after, str) else None
        )

    def _fields(self, item: object) -> Mapping[str, object]:
        if not isinstance(item, dict):
            raise Unreadable(f"a {type(item).__name__}, not an object")
        return child_fields(item)
