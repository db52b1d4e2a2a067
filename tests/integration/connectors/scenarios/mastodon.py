"""The mastodon kind's scenario, and the instance it runs against: recorded notifications paged
newest first by ``since_id``/``max_id`` with Link headers, as Mastodon pages them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.recorded_api import Answer, RecordedApi, Request, payload

TOKEN = "mastodon-token-do-not-show"


class Instance:
    """The parts of a Mastodon instance the connector uses, over recorded payloads."""

    def __init__(self, notifications: list[dict[str, Any]] | None = None) -> None:
        self.notifications: list[dict[str, Any]] = notifications if notifications is not None else []
        self.api = RecordedApi(self.answer)
        self.posted: list[dict[str, Any]] = []

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"error": "The access token is invalid"})
        if request.method == "GET" and request.path == "/api/v1/notifications":
            assert request.query.get("types[]") == ["mention"]
            return self.page(request, self.notifications)
        if request.method == "GET" and request.path.startswith("/api/v1/timelines/tag/"):
            assert "types[]" not in request.query
            return self.page(request, [item["status"] for item in self.notifications])
        if request.method == "POST" and request.path == "/api/v1/statuses":
            self.posted.append(request.json())
            created = payload("mastodon", "status_created")
            created["id"] = str(int(created["id"]) + len(self.posted) - 1)
            created["in_reply_to_id"] = request.json().get("in_reply_to_id")
            return Answer(200, created)
        return Answer(404, {"error": "Record not found"})

    def page(self, request: Request, items: list[dict[str, Any]]) -> Answer:
        since, below = request.param("since_id"), request.param("max_id")
        limit = int(request.param("limit") or 40)
        shown = [
            item
            for item in sorted(items, key=lambda item: int(item["id"]), reverse=True)
            if (since is None or int(item["id"]) > int(since))
            and (below is None or int(item["id"]) < int(below))
        ][:limit]
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
        if shown:
            base = f"{self.api.url}{request.path}?limit={limit}"
            headers["Link"] = (
                f'<{base}&max_id={shown[-1]["id"]}>; rel="next", <{base}&min_id={shown[0]["id"]}>; rel="prev"'
            )
        return Answer(200, shown, headers)

    def mention(self, number: int, *, malformed: bool = False) -> dict[str, Any]:
        """A new mention notification, shaped like the recorded ones; ``malformed`` drops its account."""
        recorded = {item["id"]: item for item in payload("mastodon", "notifications")}
        item = copy.deepcopy(recorded["4004" if malformed else "4001"])
        item["id"] = str(5000 + len(self.notifications))
        item["status"]["id"] = str(113570000000000000 + number)
        if not malformed:
            item["status"]["content"] = f"<p>@acmeair my bag was lost on flight {number}; nobody answers.</p>"
        self.notifications.append(item)
        return item


class MastodonScenario:
    kind = "mastodon"

    def __init__(self) -> None:
        self.instance = Instance()

    @contextmanager
    def start(self) -> Iterator[dict[str, Any]]:
        with self.instance.api.running():
            yield {"instance_url": self.instance.api.url, "access_token": TOKEN, "page_size": 2}

    def add_record(self, number: int) -> str:
        return str(self.instance.mention(number)["status"]["id"])

    def add_malformed(self) -> None:
        self.instance.mention(0, malformed=True)

    def rate_limit_next(self, seconds: int) -> None:
        self.instance.api.script.append(
            Answer(429, {"error": "Too many requests"}, {"Retry-After": str(seconds)})
        )

    def sent_replies(self) -> list[str]:
        # Mastodon addresses a reply by naming the account first; the reply's own words follow
        return [post["status"].removeprefix("@lena@social.example ") for post in self.instance.posted]

    def reply_to(self, external_id: str) -> str | None:
        return "lena@social.example"


SCENARIO = MastodonScenario
