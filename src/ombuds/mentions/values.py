"""A mention's pipeline stage, direction and channel names: plain values shared beyond the tables, no ORM."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Stage(StrEnum):
    """The last pipeline stage a mention has passed; each stage picks up the one before."""

    INGESTED = "ingested"
    ENRICHED = "enriched"
    THREADED = "threaded"
    ROUTED = "routed"
    DETECTED = "detected"  # seen by incident detection and promise matching: the end of the chain
    FAILED = "failed"  # a stage raised on this mention alone; see its pipeline.failed event


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


#: Names one network goes by. Sources keep their own word on the messages they bring (the X
#: connector says "x", the archives of public tweets "twitter"); a rule, a skill, a target, a sink
#: or a wording that names either applies to both.
CHANNEL_ALIASES: dict[str, str] = {"twitter": "x"}


def channel_key(name: str) -> str:
    """The one name of a channel, for comparing what a setting names with where a message was said."""
    cleaned = name.strip().lower()
    return CHANNEL_ALIASES.get(cleaned, cleaned)


def for_channel(named: Mapping[str, T], channel: str) -> T | None:
    """What a setting kept per channel (targets, wordings) says for ``channel``: under the word the
    message's source used first, then under another name of the same network."""
    if channel in named:
        return named[channel]
    wanted = channel_key(channel)
    return next((value for name, value in named.items() if channel_key(name) == wanted), None)


def names_channel(names: Iterable[str], channel: str) -> bool:
    """Does a setting's list of channels (a rule's, a sink's, a skill's) take a message said on ``channel``?"""
    wanted = channel_key(channel)
    return any(channel_key(name) == wanted for name in names)


#: How people write the channels sources commonly name; any other has its first letter capitalised.
CHANNEL_NAMES: dict[str, str] = {
    "x": "X",
    "x-dm": "X DM",
    "sms": "SMS",
    "tv": "TV",
    "rss": "RSS",
    "api": "API",
    "bluesky": "Bluesky",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "linkedin": "LinkedIn",
    "whatsapp": "WhatsApp",
}


def channel_name(name: str) -> str:
    """A channel as a page shows it: "X", "Facebook", "Complaint portal" for ``complaint-portal``."""
    cleaned = name.strip().lower()
    return CHANNEL_NAMES.get(cleaned) or cleaned.replace("_", " ").replace("-", " ").strip().capitalize()
