"""X against a local server that answers like API v2: recorded posts paged by ``since_id`` and
page tokens (``pagination_token`` for mentions, ``next_token`` for search), X's rate-limit headers,
and a reply whose OAuth 1.0a signature the server checks.

The shared contract (``test_contract.py`` with ``scenarios/x.py``) covers storing, resuming,
repeats, a 429 and dead letters through the poller; this adds what is X's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from ombuds.clock import utcnow
from ombuds.connectors.base import FetchFailed, OutgoingReply, RateLimited, SinkRefused
from ombuds.connectors.http import Walk
from ombuds.connectors.x import XConfig, XFetcher, XKind
from tests.integration.connectors.scenarios.x import BEARER, KEYS, USER_ID, XApi
from tests.support.recorded_api import payload


@pytest.fixture
def x() -> Iterator[XApi]:
    served = XApi(payload("x", "mentions")["data"])
    with served.api.running():
        yield served


def config(url: str, **values: Any) -> XConfig:
    return XConfig.model_validate({"api_url": url, "bearer_token": BEARER, "page_size": 10, **values})


def test_search_pages_by_next_token_then_asks_only_for_newer_posts(x: XApi) -> None:
    fetcher = XKind().fetcher(config(x.api.url, query="@acmeair -is:retweet", first_walk_pages=3), timeout=5)
    assert fetcher is not None
    x.posts += [dict(post, id=str(int(post["id"]) - 1000 * n)) for n in range(1, 3) for post in list(x.posts)]
    first = fetcher.fetch(None)  # 15 posts: a page of 10 and one of 5
    assert len(first.records) == 15
    assert first.is_last
    assert sum(record.fields is None for record in first.records) == 3  # the suspended author's posts
    calls = x.api.calls("GET", "/2/tweets/search/recent")
    tenth = sorted((post["id"] for post in x.posts), key=int, reverse=True)[9]
    assert [call.param("next_token") for call in calls] == [None, f"7140dibdnow9{tenth}"]
    assert calls[0].param("query") == "@acmeair -is:retweet"
    assert "referenced_tweets" in str(calls[0].param("tweet.fields"))

    assert fetcher.fetch(first.cursor).records == []
    assert x.api.requests[-1].param("since_id") == max((post["id"] for post in x.posts), key=int)


def test_a_spent_window_stops_the_calls_until_it_resets(x: XApi) -> None:
    fetcher = XKind().fetcher(config(x.api.url, user_id=USER_ID), timeout=5)
    assert fetcher is not None
    x.remaining = 1  # the next answer says no call is left in this window
    fetched = fetcher.fetch(None)
    assert len(fetched.records) == 5
    assert fetched.is_last
    with pytest.raises(RateLimited) as limited:
        fetcher.fetch(fetched.cursor)
    assert 880 < limited.value.retry_after <= 900  # x-rate-limit-reset, without spending a call
    assert len(x.api.requests) == 1


def test_a_stale_search_floor_is_checked_here_instead_of_sent(x: XApi) -> None:
    week_ago = utcnow() - timedelta(days=8)
    fetcher = XFetcher(
        config(x.api.url, query="acmeair"), timeout=5, clock=lambda: week_ago + timedelta(days=8)
    )
    old_floor = str((int(week_ago.timestamp() * 1000) - 1288834974657) << 22)
    batch = fetcher.fetch(Walk(floor=old_floor).to_cursor())
    assert x.api.requests[-1].param("since_id") is None  # X refuses a since_id past its 7 days
    assert len(batch.records) == 5  # all newer than the floor: the floor still holds here


def test_replies_are_signed_public_and_refused_without_the_token_shown(x: XApi) -> None:
    assert XKind().sink(config(x.api.url, user_id=USER_ID), timeout=5) is None  # read-only without keys
    sink = XKind().sink(config(x.api.url, user_id=USER_ID, **KEYS), timeout=5)
    assert sink is not None
    original = payload("x", "mentions")["data"][0]["id"]
    sent = sink.send(
        OutgoingReply(text="Sorry about your bag, Priya; we are on it.", in_reply_to=original, recipient=None)
    )
    assert sent.external_id == payload("x", "post_created")["data"]["id"]
    assert x.posted == [
        {"text": "Sorry about your bag, Priya; we are on it.", "reply": {"in_reply_to_tweet_id": original}}
    ]

    with pytest.raises(SinkRefused, match="direct messages"):
        sink.send(
            OutgoingReply(
                text="Please DM us", in_reply_to=original, recipient="priya_travels", is_public=False
            )
        )
    wrong = XKind().sink(
        config(x.api.url, user_id=USER_ID, **dict(KEYS, access_token_secret="revoked")), timeout=5
    )
    assert wrong is not None
    with pytest.raises(SinkRefused, match="401") as refused:
        wrong.send(OutgoingReply(text="hello", in_reply_to=original, recipient=None))
    reader = XKind().fetcher(config(x.api.url, user_id=USER_ID, bearer_token="expired-bearer"), timeout=5)
    assert reader is not None
    with pytest.raises(FetchFailed, match="credentials were refused") as failed:
        reader.fetch(None)
    shown = str(refused.value) + str(failed.value)
    assert not any(secret in shown for secret in ["revoked", "expired-bearer", *KEYS.values()])
