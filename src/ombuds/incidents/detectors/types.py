"""The values detectors read and write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Signal(StrEnum):
    """What kind of evidence raised an alarm."""

    VOLUME = "volume"  # more mentions than the baseline for this hour and weekday
    NEGATIVE_SHARE = "negative_share"  # a larger share of negative mentions than usual
    CLUSTER = "cluster"  # many people saying the same new thing
    HIGH_REACH = "high_reach"  # an author with a large audience (or the press) complaining
    SIGNAL_RISE = "signal_rise"  # more churn threats, safety reports, ... than usual


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


@dataclass(frozen=True, slots=True)
class Observation:
    """One mention as detectors see it: its time, text, author and what analysis said about it."""

    mention_id: int
    at: datetime  # timezone-aware; when the customer wrote it
    text: str
    author: str
    sentiment: str | None = None  # negative / neutral / positive
    category: str | None = None
    channel: str = "unknown"
    signals: tuple[str, ...] = ()  # e.g. churn, safety
    followers: int | None = None
    engagement: int = 0  # shares, retweets, likes known at ingest
    is_media: bool = False  # the author is a journalist or a news outlet
    duplicate_group: str | None = None  # from the near-duplicate analyzer, when it ran
    in_reply_to: str | None = None  # the post it answers (replies to one post are one conversation)

    @property
    def is_negative(self) -> bool:
        return self.sentiment == "negative"

    @property
    def voice(self) -> str:
        """Who spoke, as detectors count people: one handle on one channel."""
        return voice_of(self.channel, self.author)


def voice_of(channel: str, handle: str) -> str:
    """A person as detectors count them: "sam" on X and "sam" on Reddit are two voices."""
    return f"{channel}:{handle}"


def speaker_of(voice: str) -> tuple[str | None, str]:
    """(channel, handle) of a voice, for people to read; a handle stored before voices had a
    channel (detector state version 1) comes back without one."""
    channel, colon, handle = voice.partition(":")
    return (channel, handle) if colon else (None, voice)


@dataclass(frozen=True, slots=True)
class Alarm:
    """One detector's finding at one moment, with the mentions that support it."""

    signal: Signal
    key: str  # "all", "category:billing", "signal:churn", "phrase:<hash>", "author:<handle>"
    at: datetime
    mention_ids: tuple[int, ...]
    strength: float  # -log10 of the tail probability (higher is stronger)
    evidence: dict[str, Any] = field(default_factory=dict)
    phrases: tuple[tuple[int, str], ...] = ()  # (hash, text) of the phrases behind a cluster
    ratio: float = 0.0  # observed / expected where that applies


def from_timestamp(seconds: float) -> datetime:
    """A detector's clock (seconds since the epoch) as an aware UTC moment."""
    return datetime.fromtimestamp(seconds, UTC)
