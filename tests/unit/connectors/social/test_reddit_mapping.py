"""Reddit posts and comments as mentions: the recorded listings, read without a network."""

from __future__ import annotations

import pytest

from ombuds.connectors.http import Unreadable
from ombuds.connectors.reddit.config import RedditConfig
from ombuds.connectors.reddit.fetcher import listing_path
from ombuds.connectors.reddit.mapping import child_fields, fullname_key, key_order
from tests.support.recorded_api import payload

POSTS = payload("reddit", "new")["data"]["children"]
[COMMENT] = payload("reddit", "comments")["data"]["children"]


def test_a_text_post_becomes_the_fields_the_mentions_api_takes() -> None:
    assert child_fields(POSTS[0]) == {
        "external_id": "t3_1h8k2a5",
        "author_handle": "quiet_flyer",
        "text": 'Refund still not here after 6 weeks\n\nBooking cancelled on Oct 12, the app says "refund issued" '
        "but nothing on my card. Anyone else?\n\nEdit: & the chat just loops.",
        "created_at": "2026-11-30T10:00:00+00:00",
        "channel": "reddit",
        "url": "https://www.reddit.com/r/acmeair/comments/1h8k2a5/refund_still_not_here_after_6_weeks/",
        "in_reply_to": None,
        "is_public": True,
        "metrics": {"score": 17, "num_comments": 5},
    }


def test_a_title_only_post_a_link_post_and_a_comment() -> None:
    assert child_fields(POSTS[1])["text"] == "Lounge access denied with valid status card"
    assert child_fields(POSTS[2])["text"] == "Photo of the new cabin\n\nhttps://i.example.net/cabin.jpg"
    comment = child_fields(COMMENT)
    assert comment["text"] == "Update: still nothing, a second ticket got closed without an answer."
    assert comment["in_reply_to"] == "t3_1h8k2a5"


def test_a_child_without_title_or_date_is_unreadable_and_other_kinds_are_named() -> None:
    with pytest.raises(Unreadable) as caught:
        child_fields(POSTS[3])
    assert caught.value.field == "text"
    with pytest.raises(Unreadable, match="'t5' item"):
        child_fields({"kind": "t5", "data": {}})


def test_fullnames_order_by_their_base36_counter() -> None:
    assert [fullname_key(child) for child in POSTS] == [
        "t3_1h8k2a5",
        "t3_1h8k2a4",
        "t3_1h8k2a3",
        "t3_1h8k2a2",
        "t3_1h8k2a1",
    ]
    assert key_order("t3_1h8k2b0") > key_order("t3_1h8k2az")
    assert fullname_key({"data": {"name": "t3_$"}}) is None


@pytest.mark.parametrize(
    ("values", "path", "params"),
    [
        ({"subreddit": "acmeair"}, "/r/acmeair/new", {}),
        ({"subreddit": "acmeair", "comments": True}, "/r/acmeair/comments", {}),
        ({"query": "acme air refund"}, "/search", {"q": "acme air refund", "sort": "new", "type": "link"}),
        (
            {"subreddit": "travel", "query": "acme"},
            "/r/travel/search",
            {"q": "acme", "sort": "new", "type": "link", "restrict_sr": "1"},
        ),
    ],
)
def test_the_listing_read_for_each_setting(
    values: dict[str, object], path: str, params: dict[str, str]
) -> None:
    assert listing_path(RedditConfig.model_validate({"client_id": "c", "client_secret": "s", **values})) == (
        path,
        params,
    )


def test_a_config_without_a_listing_or_with_half_an_account_is_refused() -> None:
    with pytest.raises(ValueError, match="give subreddit, query or both"):
        RedditConfig.model_validate({"client_id": "c", "client_secret": "s"})
    with pytest.raises(ValueError, match="both username and password"):
        RedditConfig.model_validate(
            {"client_id": "c", "client_secret": "s", "subreddit": "acmeair", "username": "a"}
        )
