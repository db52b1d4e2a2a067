"""The rss kind's scenario: a feed on the loopback feed server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.integration.connectors.feed_server import FeedServer


class RssScenario:
    kind = "rss"

    def __init__(self) -> None:
        self.server = FeedServer()
        self.feed = self.server.feed("/reviews.xml")

    @contextmanager
    def start(self) -> Iterator[dict[str, Any]]:
        with self.server:
            yield {"url": self.server.url("/reviews.xml")}

    def add_record(self, number: int) -> str:
        guid = f"review-{number}"
        self.feed.add(guid, f"Review {number}", f"My bag was lost on flight {number}; nobody answers.")
        return guid

    def add_malformed(self) -> None:
        self.feed.add("review-undated", "Undated", "An item without any date", published=None)

    def rate_limit_next(self, seconds: int) -> None:
        self.server.rate_limit_next(seconds)

    def sent_replies(self) -> list[str] | None:
        return None

    def reply_to(self, external_id: str) -> str | None:
        return None


SCENARIO = RssScenario
