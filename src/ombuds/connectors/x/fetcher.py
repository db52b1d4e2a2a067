"""X mentions (``GET /2/users/:id/mentions``) or recent search (``GET /2/tweets/search/recent``),
walked newest first with ``since_id`` and the page tokens of ``meta.next_token``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import Batch, Cursor, FetchFailed
from ombuds.connectors.http import Api, Page, Unreadable, Walk, batch_of, walk_down
from ombuds.connectors.x.config import XConfig
from ombuds.connectors.x.mapping import id_key, post_fields, post_record, posted_at, users_by_id

POST_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics"
USER_FIELDS = "username,name,public_metrics"
#: Recent search refuses a since_id older than its seven days; past this the floor is checked here.
SEARCH_REACH = timedelta(days=6, hours=23)


class XFetcher:
    kind: ClassVar[str] = "x"

    def __init__(
        self,
        config: XConfig,
        *,
        timeout: float,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.api = Api(
            name="X",
            base_url=config.api_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {config.bearer_token}"},
            clock=clock,
            transport=transport,
        )
        if config.user_id is not None:
            self.path, self.page_param = f"/2/users/{config.user_id}/mentions", "pagination_token"
        else:
            self.path, self.page_param = "/2/tweets/search/recent", "next_token"

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
        params: dict[str, str | int] = {
            "max_results": self.config.page_size,
            "tweet.fields": POST_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if self.config.query is not None:
            params["query"] = self.config.query
        if walk.floor is not None and not self._past_search_reach(walk.floor):
            params["since_id"] = walk.floor
        if walk.page is not None:
            params[self.page_param] = walk.page
        data = self.api.read_json(client, "GET", self.path, params=params)
        if not isinstance(data, dict):
            raise FetchFailed(f"X: GET {self.path} answered {type(data).__name__}, not an object")
        posts = data.get("data") or []  # a page with no posts has no "data" at all
        meta = data.get("meta")
        if not isinstance(posts, list) or not isinstance(meta, dict):
            raise FetchFailed(f"X: GET {self.path} answered without data and meta: {str(data)[:200]}")
        users = users_by_id(data)
        items = [
            (id_key(post.get("id")) if isinstance(post, dict) else None, post_record(post, users))
            for post in posts
        ]
        token = meta.get("next_token")
        return Page(items, token if isinstance(token, str) and token else None)

    def _past_search_reach(self, floor: str) -> bool:
        return self.config.query is not None and self.clock() - posted_at(floor) > SEARCH_REACH

    def _fields(self, item: object) -> Mapping[str, object]:
        if not isinstance(item, dict):
            raise Unreadable(f"a {type(item).__name__}, not an object")
        return post_fields(item)
