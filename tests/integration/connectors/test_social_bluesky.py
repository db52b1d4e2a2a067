"""Bluesky against a local PDS that answers like one: one session kept across polls, notifications
paged by cursor with likes left out, a token that expires early, search by ``since``, and a reply
that names its parent and the thread's root.

The shared contract (``test_contract.py`` with ``scenarios/bluesky.py``) covers storing, resuming,
repeats, a 429 and dead letters through the poller; this adds what is Bluesky's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ombuds.connectors.base import FetchFailed, OutgoingReply, SinkRefused
from ombuds.connectors.bluesky import BlueskyConfig, BlueskyKind, client
from tests.integration.connectors.scenarios.bluesky import APP_PASSWORD, HANDLE, Pds
from tests.support.recorded_api import Answer, payload

SESSION = "/xrpc/com.atproto.server.createSession"


@pytest.fixture
def pds(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pds]:
    monkeypatch.setattr(client, "_sessions", {})  # no session kept from an earlier server on this port
    served = Pds(payload("bluesky", "notifications")["notifications"])
    with served.api.running():
        yield served


def config(url: str, **values: Any) -> BlueskyConfig:
    return BlueskyConfig.model_validate(
        {"service_url": url, "identifier": HANDLE, "app_password": APP_PASSWORD, **values}
    )


def uris(records: Any) -> list[str | None]:
    return [record.fields and str(record.fields["external_id"]).rsplit("/", 1)[-1] for record in records]


def test_mentions_come_page_by_page_over_one_session_and_an_expired_token_signs_in_again(pds: Pds) -> None:
    kind = BlueskyKind()
    fetcher = kind.fetcher(
        config(pds.api.url, page_size=2, pages_per_fetch=2, first_walk_pages=10), timeout=5
    )
    assert fetcher is not None
    first = fetcher.fetch(None)
    assert (uris(first.records), first.is_last) == (
        ["3lc2m4wq7tk2b", "3lc2kx3rmfs2c", None],
        False,
    )  # a like is no mention
    second = fetcher.fetch(first.cursor)
    assert (uris(second.records), second.is_last) == (["3lc2ib6nr4s2x", "3lc2hl2ytdc2y"], True)
    assert second.records[0].fields is not None

    again = kind.fetcher(config(pds.api.url), timeout=5)  # the next poll builds a new fetcher
    assert again is not None
    assert again.fetch(second.cursor).records == []
    assert len(pds.api.calls("POST", SESSION)) == 1  # Bluesky allows few sessions a day: one is kept

    pds.api.script.append(Answer(400, payload("bluesky", "expired_token")))
    newest = pds.mention(7)
    late = again.fetch(second.cursor)
    assert uris(late.records) == [newest["uri"].rsplit("/", 1)[-1]]
    assert len(pds.api.calls("POST", SESSION)) == 2


def test_search_asks_for_posts_since_the_last_one_seen(pds: Pds) -> None:
    fetcher = BlueskyKind().fetcher(config(pds.api.url, query="acme air"), timeout=5)
    assert fetcher is not None
    first = fetcher.fetch(None)
    assert len(first.records) == 6  # search has no reasons: every post that matched, the like's too
    pds.mention(8)
    later = fetcher.fetch(first.cursor)
    assert len(later.records) == 1
    searches = pds.api.calls("GET", "/xrpc/app.bsky.feed.searchPosts")
    assert searches[0].param("since") is None
    assert searches[-1].param("since") == "2026-11-30T11:20:01.512000+00:00"
    assert searches[-1].param("q") == "acme air"


def test_a_reply_names_its_parent_and_the_threads_root(pds: Pds) -> None:
    sink = BlueskyKind().sink(config(pds.api.url), timeout=5)
    assert sink is not None
    parent = payload("bluesky", "notifications")["notifications"][1]  # itself a reply to the brand's post
    sent = sink.send(
        OutgoingReply(
            text="We are calling you back within the hour.", in_reply_to=parent["uri"], recipient=None
        )
    )
    assert sent.external_id.startswith("at://did:plc:acmeair7k2xw4fq9hs3v5mtd/app.bsky.feed.post/")
    [record] = pds.created
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "We are calling you back within the hour."
    assert record["reply"] == {
        "root": parent["record"]["reply"]["root"],
        "parent": {"uri": parent["uri"], "cid": parent["cid"]},
    }

    with pytest.raises(SinkRefused, match="the post answered is gone"):
        sink.send(
            OutgoingReply(
                text="hello", in_reply_to="at://did:plc:gone/app.bsky.feed.post/3lc", recipient=None
            )
        )


def test_a_refused_app_password_is_said_without_it(pds: Pds) -> None:
    fetcher = BlueskyKind().fetcher(config(pds.api.url, app_password="wxyz-wxyz-wxyz-wxyz"), timeout=5)
    assert fetcher is not None
    with pytest.raises(FetchFailed, match="credentials were refused") as refused:
        fetcher.fetch(None)
    assert "wxyz" not in str(refused.value)
