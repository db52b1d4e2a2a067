"""Mastodon against a local server that answers like an instance: recorded notifications paged by
``since_id``/``max_id`` with Link headers, server errors, a silent server, and the reply's POST.

The shared contract (``test_contract.py`` with ``scenarios/mastodon.py``) covers storing, resuming,
repeats, rate limits and dead letters through the poller; this adds what is Mastodon's own.
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from ombuds.connectors.base import Batch, Cursor, FetchFailed, OutgoingReply, RateLimited, SinkRefused
from ombuds.connectors.mastodon import MastodonConfig, MastodonKind
from tests.integration.connectors.scenarios.mastodon import TOKEN, Instance
from tests.support.recorded_api import Answer, payload


@pytest.fixture
def instance() -> Iterator[Instance]:
    served = Instance(payload("mastodon", "notifications"))
    with served.api.running():
        yield served


def config(url: str, **overrides: Any) -> MastodonConfig:
    values = {
        "instance_url": url,
        "access_token": TOKEN,
        "page_size": 2,
        "pages_per_fetch": 2,
        "first_walk_pages": 10,
    }
    values.update(overrides)
    return MastodonConfig.model_validate(values)


def ids(batch: Batch) -> list[str | None]:
    return [None if record.fields is None else str(record.fields["external_id"]) for record in batch.records]


def test_mentions_arrive_page_by_page_then_only_new_ones_and_a_reply_goes_back(instance: Instance) -> None:
    kind = MastodonKind()
    fetcher = kind.fetcher(config(instance.api.url), timeout=5)
    assert fetcher is not None

    first = fetcher.fetch(None)
    assert (ids(first), first.is_last) == (
        ["113560000000000600", "113560000000000500", None, "113560000000000300"],
        False,
    )
    broken = first.records[2]
    assert broken.problem is not None
    assert broken.problem.field == "account"
    assert b"<p>half a status</p>" in broken.raw  # kept for the dead letter, as received

    second = fetcher.fetch(first.cursor)
    assert (ids(second), second.is_last) == (["113560000000000200", "113560000000000100"], True)
    assert [(call.param("since_id"), call.param("max_id")) for call in instance.api.requests] == [
        (None, None),
        (None, "4005"),
        (None, "4003"),
        (None, "4001"),
    ]

    # a new mention: only it comes, asked for above the newest one delivered
    newest = copy.deepcopy(instance.notifications[-1])
    newest["id"], newest["status"]["id"] = "4007", "113560000000000700"
    instance.notifications.append(newest)
    third = fetcher.fetch(second.cursor)
    assert (ids(third), third.is_last) == (["113560000000000700"], True)
    assert instance.api.requests[-1].param("since_id") == "4006"

    sink = kind.sink(config(instance.api.url), timeout=5)
    assert sink is not None
    sent = sink.send(
        OutgoingReply(
            text="sorry about the delay, we are looking into it",
            in_reply_to="113560000000000100",
            recipient="lena@social.example",
            metadata={"idempotency_key": "reply-17"},
        )
    )
    assert sent.external_id == "113560000000009999"
    [posted] = instance.api.calls("POST", "/api/v1/statuses")
    assert posted.json() == {
        "status": "@lena@social.example sorry about the delay, we are looking into it",
        "visibility": "public",
        "in_reply_to_id": "113560000000000100",
    }
    assert posted.headers["idempotency-key"] == "reply-17"


def test_a_hashtag_timeline_brings_the_statuses_that_carry_it(instance: Instance) -> None:
    fetcher = MastodonKind().fetcher(config(instance.api.url, hashtag="#acmeair", page_size=40), timeout=5)
    assert fetcher is not None
    batch = fetcher.fetch(None)
    assert instance.api.requests[0].path == "/api/v1/timelines/tag/acmeair"
    assert len(batch.records) == 6
    assert [record.problem.field for record in batch.records if record.problem] == ["account"]
    assert batch.records[0].fields is not None
    assert batch.records[0].fields["external_id"] == "113560000000000600"


def test_server_errors_and_refused_tokens_say_what_failed_without_the_token(instance: Instance) -> None:
    fetcher = MastodonKind().fetcher(config(instance.api.url), timeout=5)
    assert fetcher is not None
    instance.api.script.append(Answer(503, b"<html>upstream gone</html>", {"Content-Type": "text/html"}))
    with pytest.raises(
        FetchFailed, match=r"Mastodon at 127\.0\.0\.1: GET /api/v1/notifications answered 503"
    ) as failed:
        fetcher.fetch(None)
    assert not isinstance(failed.value, RateLimited)

    wrong = MastodonKind().fetcher(config(instance.api.url, access_token="stale"), timeout=5)
    assert wrong is not None
    with pytest.raises(FetchFailed, match="credentials were refused") as refused:
        wrong.fetch(None)
    assert "stale" not in str(refused.value)

    sink = MastodonKind().sink(config(instance.api.url), timeout=5)
    assert sink is not None
    instance.api.script.append(
        Answer(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    )
    with pytest.raises(SinkRefused, match=r"refused the reply with 422: .*character limit"):
        sink.send(OutgoingReply(text="x" * 600, in_reply_to="1", recipient=None))
    assert TOKEN not in str(failed.value) + str(refused.value)


def test_an_instance_that_never_answers_is_cut_off_by_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections wait in the backlog; nothing ever answers them
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        fetcher = MastodonKind().fetcher(config(url), timeout=0.3)
        assert fetcher is not None
        with pytest.raises(FetchFailed, match=r"timed out after 0\.3s"):
            fetcher.fetch(Cursor('{"floor": "1", "top": null, "page": null, "pages": 0}'))
