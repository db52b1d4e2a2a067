"""The HTTP connectors' shared parts: rate-limit headers as each platform writes them, the walk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from ombuds.connectors.base import Cursor, FetchFailed
from ombuds.connectors.bluesky.config import BlueskyConfig
from ombuds.connectors.http import Page, Walk, is_exhausted, wait_seconds, walk_down
from ombuds.connectors.mastodon.config import MastodonConfig
from ombuds.connectors.reddit.config import RedditConfig
from ombuds.connectors.x.config import XConfig

NOW = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "Mon, 30 Nov 2026 12:02:00 GMT"}, 120.0),
        ({"x-rate-limit-reset": str(int(NOW.timestamp()) + 900)}, 900.0),  # X: epoch seconds
        ({"ratelimit-reset": str(int(NOW.timestamp()) + 45)}, 45.0),  # Bluesky: epoch seconds
        ({"x-ratelimit-reset": "312"}, 312.0),  # Reddit: seconds left in the window
        ({"X-RateLimit-Reset": "2026-11-30T12:05:00.000Z"}, 300.0),  # Mastodon: a time
        ({"Retry-After": "5", "x-rate-limit-reset": str(int(NOW.timestamp()) + 900)}, 5.0),
        ({"x-ratelimit-reset": "2026-11-30T11:00:00Z"}, 0.0),  # already past
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_the_wait_is_read_from_whichever_header_the_platform_sends(
    headers: dict[str, str], expected: float | None
) -> None:
    assert wait_seconds(headers, now=NOW) == expected


def test_a_spent_window_is_read_from_each_platforms_remaining_header() -> None:
    assert is_exhausted({"x-rate-limit-remaining": "0"})
    assert is_exhausted({"x-ratelimit-remaining": "0.0"})  # Reddit counts in floats
    assert is_exhausted({"RateLimit-Remaining": "0"})
    assert not is_exhausted({"x-ratelimit-remaining": "598.0"})
    assert not is_exhausted({"x-ratelimit-remaining": "lots"})
    assert not is_exhausted({})


class Listing:
    """A newest-first listing of numbered items, paged backwards by the last key of a page."""

    def __init__(self, keys: list[int], size: int) -> None:
        self.keys = sorted(keys, reverse=True)
        self.size = size
        self.reads = 0
        self.fail_at: int | None = None

    def page(self, walk: Walk) -> Page[int]:
        self.reads += 1
        if self.fail_at == self.reads:
            raise FetchFailed("the listing answered 503")
        below = int(walk.page) if walk.page else None
        shown = [key for key in self.keys if below is None or key < below][: self.size]
        return Page([(str(key), key) for key in shown], str(shown[-1]) if shown else None)


def drain(listing: Listing, walk: Walk, *, max_pages: int = 2, first: int = 100) -> tuple[list[int], Walk]:
    got: list[int] = []
    while True:
        stretch = walk_down(walk, listing.page, order=int, max_pages=max_pages, first_walk_pages=first)
        got += stretch.items
        walk = Walk.from_cursor(stretch.walk.to_cursor(), name="listing")
        if stretch.is_done:
            return got, walk


def test_a_walk_over_several_fetches_delivers_everything_once_then_only_what_is_new() -> None:
    listing = Listing(list(range(1, 12)), size=3)
    got, walk = drain(listing, Walk())
    assert sorted(got) == list(range(1, 12))
    assert walk == Walk(floor="11")
    # items that arrive while a walk is under way are not skipped: the floor moves only at its end
    listing.keys = sorted([*listing.keys, 12, 13, 14, 15, 16, 17, 18], reverse=True)
    first = walk_down(walk, listing.page, order=int, max_pages=1, first_walk_pages=100)
    assert (first.items, first.is_done) == ([18, 17, 16], False)
    listing.keys = sorted([*listing.keys, 19], reverse=True)
    rest, walk = drain(listing, Walk.from_cursor(first.walk.to_cursor(), name="listing"))
    assert rest == [15, 14, 13, 12]
    assert walk == Walk(floor="18")
    again, walk = drain(listing, walk)
    assert again == [19]


def test_a_new_source_reads_only_its_first_pages_and_starts_from_the_newest() -> None:
    listing = Listing(list(range(1, 101)), size=10)
    got, walk = drain(listing, Walk(), max_pages=5, first=3)
    assert got == list(range(100, 70, -1))
    assert walk.floor == "100"


def test_a_page_that_fails_after_the_first_keeps_what_was_read_and_resumes_there() -> None:
    listing = Listing(list(range(1, 10)), size=3)
    listing.fail_at = 2
    stretch = walk_down(Walk(), listing.page, order=int, max_pages=3, first_walk_pages=100)
    assert (stretch.items, stretch.is_done, stretch.walk.page) == ([9, 8, 7], False, "7")
    listing.fail_at = 1
    listing.reads = 0
    with pytest.raises(FetchFailed, match="503"):
        walk_down(stretch.walk, listing.page, order=int, max_pages=3, first_walk_pages=100)


def test_a_cursor_from_elsewhere_is_refused_with_the_source_named() -> None:
    with pytest.raises(FetchFailed, match=r"Mastodon at social\.example: the stored cursor '42'"):
        Walk.from_cursor(Cursor("42"), name="Mastodon at social.example")


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda url: MastodonConfig(instance_url=url, access_token="t"), "instance_url"),
        (
            lambda url: BlueskyConfig(service_url=url, identifier="acme.example", app_password="p"),
            "service_url",
        ),
        (
            lambda url: RedditConfig(api_url=url, client_id="c", client_secret="s", subreddit="acme"),
            "api_url",
        ),
        (lambda url: XConfig(api_url=url, bearer_token="b", user_id="1"), "api_url"),
    ],
)
def test_a_platform_is_reached_over_https_or_on_this_machine_only(
    make: Callable[[str], BaseModel], field: str
) -> None:
    with pytest.raises(ValidationError, match="use https://: the account's credentials would cross"):
        make("http://mastodon.example")
    for url in (
        "https://mastodon.example",
        "http://127.0.0.1:8080",
        "http://localhost:9000",
        "http://[::1]:80",
    ):
        assert getattr(make(url), field) == url
