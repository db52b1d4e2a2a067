"""The bluesky kind's scenario, and the PDS it runs against: createSession, notifications and
search paged newest first by an opaque cursor, Bluesky's ratelimit-* headers, getPosts and
createRecord for replies."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.recorded_api import Answer, RecordedApi, Request, payload

HANDLE = "acmeair.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"  # the shape Bluesky gives app passwords
JWT = payload("bluesky", "session")["accessJwt"]


def post_view(notification: dict[str, Any]) -> dict[str, Any]:
    """A notification's post as getPosts and searchPosts show it."""
    view = {key: notification[key] for key in ("uri", "cid", "author", "record", "indexedAt")}
    return {**view, "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0, "labels": []}


class Pds:
    """The parts of a PDS (and the AppView reads it forwards) the connector uses."""

    def __init__(self, notifications: list[dict[str, Any]] | None = None) -> None:
        self.notifications: list[dict[str, Any]] = notifications if notifications is not None else []
        self.api = RecordedApi(self.answer)
        self.created: list[dict[str, Any]] = []
        self.limit_next: int | None = None

    def answer(self, request: Request) -> Answer:
        if request.path == "/xrpc/com.atproto.server.createSession":
            sent = request.json()
            if (sent["identifier"], sent["password"]) != (HANDLE, APP_PASSWORD):
                return Answer(401, payload("bluesky", "session_refused"))
            return Answer(200, payload("bluesky", "session"))
        if request.headers.get("authorization") != f"Bearer {JWT}":
            return Answer(400, payload("bluesky", "expired_token"))
        if request.path == "/xrpc/app.bsky.notification.listNotifications":
            assert request.query.get("reasons") == ["mention", "quote", "reply"]
            return self.page(request, self.notifications, "notifications")
        if request.path == "/xrpc/app.bsky.feed.searchPosts":
            assert request.param("sort") == "latest"
            return self.page(request, [post_view(item) for item in self.notifications], "posts")
        if request.path == "/xrpc/app.bsky.feed.getPosts":
            wanted = request.query.get("uris", [])
            return Answer(
                200, {"posts": [post_view(item) for item in self.notifications if item["uri"] in wanted]}
            )
        if request.path == "/xrpc/com.atproto.repo.createRecord":
            sent = request.json()
            assert sent["repo"] == payload("bluesky", "session")["did"]
            self.created.append(sent["record"])
            made = payload("bluesky", "record_created")
            made["uri"] = f"{made['uri']}{len(self.created)}"
            return Answer(200, made)
        return Answer(501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})

    def page(self, request: Request, items: list[dict[str, Any]], name: str) -> Answer:
        if self.limit_next is not None:
            wait, self.limit_next = self.limit_next, None
            reset = str(int(time.time()) + wait + 1)
            headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": reset}
            return Answer(429, payload("bluesky", "rate_limited"), headers)
        limit = int(request.param("limit") or 50)
        before = request.param("cursor")
        since = request.param("since")
        ordered = sorted(items, key=lambda item: item["indexedAt"], reverse=True)
        shown = [
            item
            for item in ordered
            if (before is None or item["indexedAt"] < before)
            and (since is None or item["indexedAt"] >= since)
        ][:limit]
        body = {name: shown, "cursor": shown[-1]["indexedAt"] if shown else None}
        headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "2999", "ratelimit-policy": "3000;w=300"}
        return Answer(200, body, headers)

    def mention(self, number: int, *, malformed: bool = False) -> dict[str, Any]:
        """A new mention, shaped like the recorded ones; ``malformed``: a post without text."""
        recorded = payload("bluesky", "notifications")["notifications"]
        item = copy.deepcopy(recorded[3] if malformed else recorded[-1])
        newest = max((item["indexedAt"] for item in self.notifications), default="2026-11-30T12:00:00.000Z")
        moment = datetime.fromisoformat(newest.replace("Z", "+00:00")) + timedelta(seconds=1)
        item["indexedAt"] = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        item["record"]["createdAt"] = item["indexedAt"]
        item["uri"] = item["uri"].rsplit("/", 1)[0] + f"/3lc3aaaa{number:05d}"
        if not malformed:
            item["record"]["text"] = (
                f"@acmeair.bsky.social my bag was lost on flight {number}; nobody answers."
            )
        self.notifications.append(item)
        return item


class BlueskyScenario:
    kind = "bluesky"

    def __init__(self) -> None:
        self.pds = Pds()

    @contextmanager
    def start(self) -> Iterator[dict[str, Any]]:
        with self.pds.api.running():
            yield {"service_url": self.pds.api.url, "identifier": HANDLE, "app_password": APP_PASSWORD}

    def add_record(self, number: int) -> str:
        return str(self.pds.mention(number)["uri"])

    def add_malformed(self) -> None:
        self.pds.mention(0, malformed=True)

    def rate_limit_next(self, seconds: int) -> None:
        self.pds.limit_next = seconds

    def sent_replies(self) -> list[str]:
        return [record["text"] for record in self.pds.created]

    def reply_to(self, external_id: str) -> str | None:
        return None  # a reply names its parent and root by reference; no recipient


SCENARIO = BlueskyScenario
