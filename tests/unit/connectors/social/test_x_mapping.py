"""X posts as mentions: the recorded answer, read without a network."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from ombuds.connectors.http import Unreadable
from ombuds.connectors.x.config import XConfig
from ombuds.connectors.x.mapping import id_key, post_fields, post_record, posted_at, users_by_id
from tests.support.recorded_api import payload

ANSWER = payload("x", "mentions")
USERS = users_by_id(ANSWER)
POSTS = ANSWER["data"]


def test_a_post_and_its_author_become_the_fields_the_mentions_api_takes() -> None:
    oldest = POSTS[-1]
    assert post_fields(post_record(oldest, USERS)) == {
        "external_id": oldest["id"],
        "author_handle": "priya_travels",
        "author_name": "Priya R.",
        "text": "@acmeair flight 212 delayed again, third time this month",
        "created_at": "2026-11-30T09:00:00.000Z",
        "channel": "x",
        "url": f"https://x.com/priya_travels/status/{oldest['id']}",
        "followers": 2310,
        "in_reply_to": None,
        "is_public": True,
        "metrics": {
            "retweet_count": 1,
            "reply_count": 0,
            "like_count": 2,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 41,
        },
    }


def test_a_reply_names_the_post_it_answers_and_entities_are_decoded() -> None:
    reply = post_fields(post_record(POSTS[0], USERS))
    assert reply["in_reply_to"] == POSTS[0]["referenced_tweets"][0]["id"]
    assert reply["text"] == "@acmeair thanks for the reply & the voucher, but my bag is still in Frankfurt"
    assert post_fields(post_record(POSTS[1], USERS))["text"].endswith("Screens say 'on time' <sigh>")  # type: ignore[union-attr]
    assert post_fields(post_record(POSTS[1], USERS))["author_name"] is None  # an empty name is no name


def test_a_post_whose_author_did_not_come_is_unreadable_and_its_record_keeps_it() -> None:
    record = post_record(POSTS[2], USERS)
    assert record == {"data": POSTS[2], "includes": {"users": []}}
    with pytest.raises(Unreadable) as caught:
        post_fields(record)
    assert caught.value.field == "author_handle"
    assert "700000000000000001" in caught.value.reason


def test_a_post_id_tells_when_it_was_made() -> None:
    assert posted_at(POSTS[-1]["id"]) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "give user_id (the account's mentions) or query (recent search), not both"),
        ({"user_id": "1", "query": "acmeair"}, "not both"),
        ({"user_id": "1", "consumer_key": "k"}, "replies need all four OAuth 1.0a keys"),
        ({"user_id": "@acmeair"}, "String should match pattern"),
    ],
)
def test_a_config_says_what_is_wrong(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        XConfig.model_validate({"bearer_token": "b", **values})


def test_the_keys_stay_out_of_the_configs_repr() -> None:
    config = XConfig(bearer_token="bearer-secret", query="acmeair", access_token_secret=None)
    assert "bearer-secret" not in repr(config)


@pytest.mark.parametrize("value", ["²", "١٢٣", "1" * 25, "", 1234, None])
def test_an_id_that_is_not_plain_decimal_digits_is_no_post_id(value: object) -> None:
    # "²".isdigit() is true, yet int("²") fails where ids are ordered and dated
    assert id_key(value) is None
    assert id_key("1460323737035677698") == "1460323737035677698"
