"""Bluesky posts as mentions, and a reply's references: the recorded answers, read without a network."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ombuds.connectors.bluesky.client import expiry_of
from ombuds.connectors.bluesky.mapping import (
    is_post_notification,
    key_order,
    notification_key,
    post_fields,
    search_key,
)
from ombuds.connectors.bluesky.sink import reply_refs
from ombuds.connectors.http import Unreadable
from tests.support.recorded_api import payload

NOTIFICATIONS = payload("bluesky", "notifications")["notifications"]
[FOUND] = payload("bluesky", "search")["posts"]


def test_a_mention_becomes_the_fields_the_mentions_api_takes() -> None:
    assert post_fields(NOTIFICATIONS[0]) == {
        "external_id": "at://did:plc:q3ryh5vbk7wfo2s6pnmj4xla/app.bsky.feed.post/3lc2m4wq7tk2b",
        "author_handle": "ana-mendes.bsky.social",
        "author_name": "Ana Mendes",
        "text": "@acmeair.bsky.social two hours on the tarmac in Porto and the crew says nothing",
        "created_at": "2026-11-30T11:20:01.512Z",
        "channel": "bluesky",
        "url": "https://bsky.app/profile/ana-mendes.bsky.social/post/3lc2m4wq7tk2b",
        "in_reply_to": None,
        "is_public": True,
        "metrics": {},
    }


def test_a_reply_names_its_parent_and_a_search_result_keeps_its_counts() -> None:
    assert post_fields(NOTIFICATIONS[1])["in_reply_to"] == (
        "at://did:plc:acmeair7k2xw4fq9hs3v5mtd/app.bsky.feed.post/3lbxz2kq4vc2a"
    )
    assert post_fields(FOUND)["metrics"] == {"likes": 9, "reposts": 1, "replies": 2, "quotes": 0}
    assert post_fields(NOTIFICATIONS[4])["text"].startswith("This. Same thing")  # type: ignore[union-attr]


def test_likes_are_not_mentions_and_a_post_without_text_is_unreadable() -> None:
    assert [is_post_notification(item) for item in NOTIFICATIONS] == [True, True, False, True, True, True]
    with pytest.raises(Unreadable) as caught:
        post_fields(NOTIFICATIONS[3])
    assert caught.value.field == "text"


def test_listings_order_by_their_own_clock() -> None:
    keys = [notification_key(item) for item in NOTIFICATIONS]
    assert keys[0] == "2026-11-30T11:20:02.204000+00:00"
    assert [key_order(key) for key in keys if key] == sorted(
        (key_order(key) for key in keys if key), reverse=True
    )
    assert search_key(FOUND) == "2026-11-30T12:01:00+00:00"  # written before it was indexed
    assert notification_key({"indexedAt": "yesterday"}) is None


def test_a_reply_to_a_reply_keeps_the_threads_root() -> None:
    [parent] = payload("bluesky", "get_posts")["posts"]
    refs = reply_refs(parent)
    assert refs["parent"] == {"uri": parent["uri"], "cid": parent["cid"]}
    assert refs["root"] == parent["record"]["reply"]["root"]
    top = dict(parent, record={"text": "a first post"})
    assert reply_refs(top) == {"root": refs["parent"], "parent": refs["parent"]}


def test_a_session_lasts_as_its_token_says() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert expiry_of(payload("bluesky", "session")["accessJwt"], now=now).year == 2099
    assert expiry_of("not-a-jwt", now=now) == datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
