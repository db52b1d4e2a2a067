"""Mastodon statuses as mentions: the recorded notifications, read without a network."""

from __future__ import annotations

import pytest

from ombuds.connectors.http import Unreadable
from ombuds.connectors.mastodon.mapping import id_key, notification_fields, status_fields, text_of_html
from ombuds.connectors.mastodon.sink import addressed
from tests.support.recorded_api import payload

NOTIFICATIONS = {item["id"]: item for item in payload("mastodon", "notifications")}


def test_a_mention_becomes_the_fields_the_mentions_api_takes() -> None:
    assert notification_fields(NOTIFICATIONS["4001"], instance_host="mastodon.example") == {
        "external_id": "113560000000000100",
        "author_handle": "lena@social.example",
        "author_name": "Lena K.",
        "text": "@acmeair flight AC 212 delayed four hours and nobody at the gate knows why",
        "created_at": "2026-11-30T08:59:58.000Z",
        "channel": "mastodon",
        "url": "https://social.example/@lena/113560000000000100",
        "followers": 312,
        "in_reply_to": None,
        "is_public": True,
    }


def test_html_becomes_clean_text_with_links_whole_and_entities_decoded() -> None:
    fields = notification_fields(NOTIFICATIONS["4003"], instance_host="mastodon.example")
    assert fields["text"] == (
        '@acmeair your baggage tracker says "delivered" & my bag is not here.\n'
        "See https://tracker.example/bags/ZX81-4471-long-path\n\nDay three now."
    )


def test_a_content_warning_leads_the_text() -> None:
    fields = notification_fields(NOTIFICATIONS["4002"], instance_host="mastodon.example")
    assert str(fields["text"]).startswith("complaint, long\n\n@acmeair seat 14C")


def test_a_direct_mention_is_private_and_a_reply_names_its_parent() -> None:
    direct = notification_fields(NOTIFICATIONS["4005"], instance_host="mastodon.example")
    reply = notification_fields(NOTIFICATIONS["4006"], instance_host="mastodon.example")
    assert direct["is_public"] is False
    assert direct["author_name"] is None  # an empty display name is no name
    assert reply["in_reply_to"] == "113559990000000100"
    assert reply["author_handle"] == "marta@mastodon.example"  # a local account gets its instance


def test_a_status_without_its_account_is_unreadable_and_says_so() -> None:
    with pytest.raises(Unreadable) as caught:
        notification_fields(NOTIFICATIONS["4004"], instance_host="mastodon.example")
    assert (caught.value.field, caught.value.reason) == ("account", "account is missing or not an object")


def test_a_media_only_status_and_other_notifications_are_unreadable() -> None:
    status = dict(payload("mastodon", "tag_timeline")[0], content="<p></p>")
    with pytest.raises(Unreadable, match="no text"):
        status_fields(status, instance_host="mastodon.example")
    with pytest.raises(Unreadable, match="'favourite' notification"):
        notification_fields(dict(NOTIFICATIONS["4001"], type="favourite"), instance_host="m.example")


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>line<br />next<br>last</p>", "line\nnext\nlast"),
        ("<p>5 &lt; 6 &amp;&amp; caf&#233;</p>", "5 < 6 && café"),
        ("plain text", "plain text"),
    ],
)
def test_text_of_html(html: str, text: str) -> None:
    assert text_of_html(html) == text


def test_a_reply_names_its_recipient_once() -> None:
    assert addressed("sorry about that", "lena@social.example") == "@lena@social.example sorry about that"
    # "@lena" alone names the brand instance's own lena: a private reply would go to a stranger
    assert addressed("@lena sorry", "lena@social.example") == "@lena@social.example @lena sorry"
    assert addressed("sorry @lena@social.example.evil", "lena@social.example").startswith(
        "@lena@social.example "
    )
    assert addressed("sorry @Lena@Social.example", "lena@social.example") == "sorry @Lena@Social.example"
    assert addressed("sorry", None) == "sorry"


@pytest.mark.parametrize("value", ["²", "١٢٣", "1" * 40, "", 1234, None])
def test_an_id_that_is_not_plain_decimal_digits_is_no_status_id(value: object) -> None:
    # "²".isdigit() is true, yet int("²") fails where ids are ordered
    assert id_key(value) is None
    assert id_key("109372843718974632") == "109372843718974632"
