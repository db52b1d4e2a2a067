"""Presets turn the columns of known exports into mentions; --map adapts them to other files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ombuds.errors import InvalidInput
from ombuds.mentions.mapping import RecordRejected, map_record, resolve_field_map
from ombuds.mentions.presets import PRESETS, get_preset, parse_map_option

AIRLINE_COLUMNS = [
    "tweet_id",
    "airline_sentiment",
    "airline_sentiment_confidence",
    "negativereason",
    "negativereason_confidence",
    "airline",
    "airline_sentiment_gold",
    "name",
    "negativereason_gold",
    "retweet_count",
    "text",
    "tweet_coord",
    "tweet_created",
    "tweet_location",
    "user_timezone",
]
TWCS_COLUMNS = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]
CFPB_COLUMNS = [
    "Date received",
    "Product",
    "Consumer complaint narrative",
    "Company",
    "Submitted via",
    "Complaint ID",
]


def test_an_airline_tweet_becomes_a_public_twitter_mention_in_utc() -> None:
    field_map = resolve_field_map(get_preset("airline"), available=AIRLINE_COLUMNS)
    record = dict.fromkeys(AIRLINE_COLUMNS, "")
    record |= {
        "tweet_id": "100000000000000001",
        "name": "gate_watcher",
        "text": "@SkyAir two hours on the tarmac, no updates",
        "tweet_created": "2015-02-20 06:15:00 -0800",
        "retweet_count": "3",
        "airline": "SkyAir",
    }

    mention = map_record(record, field_map)

    assert mention.external_id == "100000000000000001"
    assert mention.author_handle == "gate_watcher"
    assert mention.created_at == datetime(2015, 2, 20, 14, 15, tzinfo=UTC)
    assert mention.channel == "twitter"
    assert mention.is_public
    assert mention.direction == "inbound"
    assert mention.metrics == {"retweets": 3}
    assert mention.url == "https://twitter.com/gate_watcher/status/100000000000000001"
    assert get_preset("airline").brand_column == "airline"


def test_a_twcs_brand_reply_is_outbound_and_points_to_the_tweet_it_answers() -> None:
    field_map = resolve_field_map(get_preset("twcs"), available=TWCS_COLUMNS)
    reply = {
        "tweet_id": "12",
        "author_id": "SkyAirHelp",
        "inbound": "False",
        "created_at": "Tue Oct 31 22:10:47 +0000 2017",
        "text": "@4711 Sorry to hear that, please DM us your booking code.",
        "response_tweet_id": "",
        "in_response_to_tweet_id": "11",
    }

    mention = map_record(reply, field_map)
    customer = map_record(reply | {"tweet_id": "11", "author_id": "4711", "inbound": "True"}, field_map)

    assert mention.direction == "outbound"
    assert mention.in_reply_to == "11"
    assert mention.created_at == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    assert customer.direction == "inbound"
    assert customer.author_handle == "4711"


def test_a_cfpb_complaint_is_a_private_portal_mention_from_its_own_consumer() -> None:
    field_map = resolve_field_map(get_preset("cfpb"), available=CFPB_COLUMNS)
    complaint = {
        "Date received": "2019-10-25",
        "Product": "Mortgage",
        "Consumer complaint narrative": "The servicer misapplied my payment in XX/XX/XXXX.",
        "Company": "Example Bank",
        "Submitted via": "Web",
        "Complaint ID": "3412345",
    }

    mention = map_record(complaint, field_map)

    assert mention.channel == "complaint-portal"
    assert mention.is_public is False
    assert mention.author_handle == "consumer-3412345"
    assert mention.created_at == datetime(2019, 10, 25, tzinfo=UTC)


def test_generic_files_may_bring_optional_columns_and_map_their_own_names() -> None:
    columns = ["id", "handle", "message", "posted", "channel", "followers"]
    overrides = [parse_map_option(option) for option in ("id=external_id", "handle=author", "message=text")]
    overrides.append(parse_map_option("posted=created_at"))
    field_map = resolve_field_map(get_preset("generic"), overrides=overrides, available=columns)

    mention = map_record(
        {
            "id": "e-1",
            "handle": "mira@example.org",
            "message": "Still no refund.",
            "posted": "2024-05-01T08:00:00+02:00",
            "channel": "Email",
            "followers": "1,204",
        },
        field_map,
    )

    assert mention.author_handle == "mira@example.org"
    assert mention.channel == "email"
    assert mention.followers == 1204
    assert mention.created_at == datetime(2024, 5, 1, 6, tzinfo=UTC)


def test_map_can_feed_a_metric_and_replace_a_preset_column() -> None:
    columns = [*TWCS_COLUMNS, "likes"]
    field_map = resolve_field_map(
        get_preset("twcs"),
        overrides=[("likes", "metrics.likes"), ("response_tweet_id", "in_reply_to")],
        available=columns,
    )
    record = {
        "tweet_id": "1",
        "author_id": "9",
        "inbound": "True",
        "created_at": "2017-10-31T22:10:47+00:00",
        "text": "hello",
        "response_tweet_id": "2",
        "in_response_to_tweet_id": "",
        "likes": "7",
    }

    mention = map_record(record, field_map)

    assert mention.metrics == {"likes": 7}
    assert mention.in_reply_to == "2"


def test_a_preset_that_does_not_fit_the_file_says_which_columns_are_missing_and_which_exist() -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_field_map(get_preset("airline"), available=CFPB_COLUMNS)

    message = str(refused.value)
    assert "'tweet_id'" in message
    assert "'Complaint ID'" in message
    assert "--map" in message


def test_unknown_presets_fields_and_map_columns_are_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput, match="choose one of: generic, airline, twcs, cfpb"):
        get_preset("facebook")
    with pytest.raises(InvalidInput, match="unknown field 'sentiment'"):
        parse_map_option("airline_sentiment=sentiment")
    with pytest.raises(InvalidInput, match="write COLUMN=FIELD"):
        parse_map_option("text")
    with pytest.raises(InvalidInput, match="no column 'body'"):
        resolve_field_map(get_preset("twcs"), overrides=[("body", "text")], available=TWCS_COLUMNS)


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"text": "   "}, "text", "text: missing (column 'text' is empty)"),
        ({"tweet_id": ""}, "tweet_id", "external_id: missing"),
        ({"created_at": "31/10/2017 22:10"}, "created_at", "created_at: cannot read"),
        ({"created_at": "2017-10-31 22:10:47"}, "created_at", "created_at: '2017-10-31 22:10:47' has no UTC"),
        ({"inbound": "maybe"}, "inbound", "inbound: 'maybe' is not true or false"),
        ({"author_id": "x" * 201}, "author_id", "author: String should have at most 200 characters"),
        ({"text": "y" * 50_001}, "text", "text: String should have at most 50000 characters"),
    ],
)
def test_a_record_that_cannot_be_a_mention_names_the_field_and_the_column(
    change: dict[str, str], column: str, reason: str
) -> None:
    field_map = resolve_field_map(get_preset("twcs"), available=TWCS_COLUMNS)
    record = {
        "tweet_id": "1",
        "author_id": "9",
        "inbound": "True",
        "created_at": "2017-10-31T22:10:47+00:00",
        "text": "hello",
        "response_tweet_id": "",
        "in_response_to_tweet_id": "",
    }

    with pytest.raises(RecordRejected) as rejected:
        map_record(record | change, field_map)

    assert rejected.value.column == column
    assert rejected.value.reason.startswith(reason)


def test_every_preset_feeds_every_required_field() -> None:
    for preset in PRESETS.values():
        available = set(preset.columns.values())
        resolve_field_map(preset, available=available)  # raises when a required field has no source
