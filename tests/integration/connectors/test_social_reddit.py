"""Reddit against a local server that answers like it: an OAuth token endpoint, a subreddit's
listing paged by ``after``, and ``/api/comment`` with the errors Reddit puts in a 200 answer.

The shared contract (``test_contract.py`` with ``scenarios/reddit.py``) covers storing, resuming,
repeats, a 429 and dead letters through the poller; this adds what is Reddit's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ombuds.connectors.base import FetchFailed, OutgoingReply, SinkRefused, SinkRetry
from ombuds.connectors.reddit import RedditConfig, RedditKind, client
from tests.integration.connectors.scenarios.reddit import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    USERNAME,
    RedditApi,
)
from tests.support.recorded_api import Answer, payload


@pytest.fixture
def reddit(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedditApi]:
    monkeypatch.setattr(client, "_tokens", {})  # no token kept from an earlier server on this port
    served = RedditApi(payload("reddit", "new")["data"]["children"])
    with served.api.running():
        yield served


def config(url: str, **values: Any) -> RedditConfig:
    base = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "subreddit": "acmeair",
        "api_url": url,
        "auth_url": url,
    }
    return RedditConfig.model_validate({**base, **values})


def test_a_subreddit_is_walked_by_after_with_one_token_then_only_new_posts_come(reddit: RedditApi) -> None:
    fetcher = RedditKind().fetcher(config(reddit.api.url, page_size=2, first_walk_pages=5), timeout=5)
    assert fetcher is not None
    first = fetcher.fetch(None)
    assert [record.fields and record.fields["external_id"] for record in first.records] == [
        "t3_1h8k2a5", "t3_1h8k2a4", "t3_1h8k2a3", None, "t3_1h8k2a1",
    ]  # fmt: skip
    assert [call.param("after") for call in reddit.api.calls("GET", "/r/acmeair/new")] == [
        None,
        "t3_1h8k2a4",
        "t3_1h8k2a2",
    ]
    [token] = reddit.api.calls("POST", "/api/v1/access_token")
    assert token.form() == {"grant_type": "client_credentials"}  # no account: app-only, read-only

    reddit.post(6)
    next_poll = RedditKind().fetcher(config(reddit.api.url), timeout=5)  # each poll builds a new fetcher
    assert next_poll is not None
    again = next_poll.fetch(first.cursor)  # the listing has no "since": the walk stops at the last seen post
    assert [record.fields and record.fields["external_id"] for record in again.records] == ["t3_1h8k2a6"]
    assert again.is_last
    assert len(reddit.api.calls("POST", "/api/v1/access_token")) == 1  # the token is kept until it expires

    reddit.api.script.append(Answer(401, {"message": "Unauthorized", "error": 401}))  # revoked meanwhile
    assert next_poll.fetch(again.cursor).records == []
    assert len(reddit.api.calls("POST", "/api/v1/access_token")) == 2  # signed in again, once


def test_a_comment_reply_and_the_errors_reddit_answers_in_a_200(reddit: RedditApi) -> None:
    assert RedditKind().sink(config(reddit.api.url), timeout=5) is None  # read-only without the account
    sink = RedditKind().sink(config(reddit.api.url, username=USERNAME, password=PASSWORD), timeout=5)
    assert sink is not None
    sent = sink.send(
        OutgoingReply(text="Sorry about the wait; we are on it.", in_reply_to="t3_1h8k2a5", recipient=None)
    )
    assert sent.external_id == "t1_lq3kz01"
    assert reddit.comments == [
        {"api_type": "json", "thing_id": "t3_1h8k2a5", "text": "Sorry about the wait; we are on it."}
    ]

    reddit.api.script.append(Answer(200, payload("reddit", "comment_ratelimited")))
    with pytest.raises(SinkRetry, match="RATELIMIT Looks like you've been doing that a lot"):
        sink.send(OutgoingReply(text="again", in_reply_to="t3_1h8k2a5", recipient=None))
    reddit.api.script.append(
        Answer(200, {"json": {"errors": [["THREAD_LOCKED", "that comment is locked", "parent"]]}})
    )
    with pytest.raises(SinkRefused, match="THREAD_LOCKED"):
        sink.send(OutgoingReply(text="again", in_reply_to="t3_1h8k2a5", recipient=None))

    wrong = RedditKind().sink(config(reddit.api.url, username=USERNAME, password="old-password"), timeout=5)
    assert wrong is not None
    with pytest.raises(SinkRefused, match="sign-in was refused \\(invalid_grant\\)") as refused:
        wrong.send(OutgoingReply(text="hello", in_reply_to="t3_1h8k2a5", recipient=None))
    reader = RedditKind().fetcher(config(reddit.api.url, client_secret="rotated"), timeout=5)
    assert reader is not None
    with pytest.raises(FetchFailed, match="credentials were refused") as failed:
        reader.fetch(None)
    shown = str(refused.value) + str(failed.value)
    assert not any(secret in shown for secret in ["old-password", "rotated", CLIENT_SECRET, PASSWORD])
