"""How the columns of known exports become mention fields. Pure: no database, no files.

A preset maps mention fields to the columns of one kind of export; ``--map COLUMN=FIELD``
overrides or extends it. Whatever is not mapped stays in the mention's raw payload. The
presets are shared by ``ombuds import`` and by replays of timestamped data sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ombuds.errors import InvalidInput

# Mention fields a column can feed, with what each expects. ``metrics.NAME`` feeds a count.
FIELDS: Mapping[str, str] = {
    "external_id": "the message's id on its channel (required)",
    "author": "the author's handle or id (required)",
    "text": "the message (required)",
    "created_at": "when it was written, with a UTC offset or as a date (required)",
    "author_name": "the author's display name",
    "author_bio": "the author's profile text",
    "channel": "where it was said (twitter, email, chat, complaint-portal, ...)",
    "url": "a link to the message",
    "followers": "the author's audience size, a whole number",
    "in_reply_to": "the external_id of the message it answers",
    "is_public": "true/false, yes/no or 1/0",
    "direction": "inbound (a customer) or outbound (the brand itself)",
    "inbound": "true for a customer's message, false for the brand's own (sets direction)",
}
REQUIRED_FIELDS = ("external_id", "author", "text", "created_at")
METRICS_PREFIX = "metrics."


@dataclass(frozen=True, slots=True)
class Preset:
    """The mapping for one kind of export.

    ``columns`` maps a field to the column that feeds it; fields in ``optional`` may be absent
    from a file. ``defaults`` fill a field that no column filled: a constant, or a template
    over the record's columns such as ``"consumer-{Complaint ID}"``. ``brand_column`` names
    the column that tells rows of different brands apart, where the export has one.
    """

    name: str
    description: str
    columns: Mapping[str, str]
    optional: frozenset[str] = frozenset()
    defaults: Mapping[str, str] = field(default_factory=dict)
    brand_column: str | None = None


_GENERIC_OPTIONAL = frozenset(FIELDS) - set(REQUIRED_FIELDS) - {"inbound"}

PRESETS: Mapping[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="generic",
            description="columns named after the fields: external_id, author, text, created_at, "
            "and optionally channel, url, followers, author_name, author_bio, in_reply_to, is_public, direction",
            columns={name: name for name in (*REQUIRED_FIELDS, *sorted(_GENERIC_OPTIONAL))},
            optional=_GENERIC_OPTIONAL,
            defaults={"channel": "other"},
        ),
        Preset(
            name="airline",
            description="Twitter US Airline Sentiment (tweet_id, name, text, tweet_created, airline, ...)",
            columns={
                "external_id": "tweet_id",
                "author": "name",
                "text": "text",
                "created_at": "tweet_created",
                "metrics.retweets": "retweet_count",
            },
            optional=frozenset({"metrics.retweets"}),
            defaults={"channel": "twitter", "url": "https://twitter.com/{name}/status/{tweet_id}"},
            brand_column="airline",
        ),
        Preset(
            name="twcs",
            description="Customer Support on Twitter (tweet_id, author_id, inbound, created_at, text, "
            "in_response_to_tweet_id); inbound False is the brand's own reply",
            columns={
                "external_id": "tweet_id",
                "author": "author_id",
                "text": "text",
                "created_at": "created_at",
                "inbound": "inbound",
                "in_reply_to": "in_response_to_tweet_id",
            },
            optional=frozenset({"inbound", "in_reply_to"}),
            defaults={"channel": "twitter"},
        ),
        Preset(
            name="cfpb",
            description="CFPB Consumer Complaint Database (Complaint ID, Consumer complaint narrative, "
            "Date received, Company, Product, ...); private complaint-portal mentions",
            columns={
                "external_id": "Complaint ID",
                "text": "Consumer complaint narrative",
                "created_at": "Date received",
            },
            defaults={
                "author": "consumer-{Complaint ID}",
                "channel": "complaint-portal",
                "is_public": "false",
            },
            brand_column="Company",
        ),
    )
}


def get_preset(name: str) -> Preset:
    """The preset called ``name``; ``InvalidInput`` listing the known ones otherwise."""
    preset = PRESETS.get(name)
    if preset is None:
        raise InvalidInput(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return preset


def check_field(name: str) -> str:
    """``name`` if a column can feed it; ``InvalidInput`` listing the fields otherwise."""
    if name in FIELDS or (name.startswith(METRICS_PREFIX) and len(name) > len(METRICS_PREFIX)):
        return name
    known = ", ".join([*FIELDS, f"{METRICS_PREFIX}NAME"])
    raise InvalidInput(f"unknown field {name!r}; fields are: {known}")


def parse_map_option(option: str) -> tuple[str, str]:
    """``"COLUMN=FIELD"`` as (column, field); the column may itself contain ``=``."""
    column, separator, target = option.rpartition("=")
    if not separator or not column.strip() or not target.strip():
        raise InvalidInput(f"--map {option!r}: write COLUMN=FIELD, e.g. --map user_handle=author")
    return column.strip(), check_field(target.strip())
