"""Storms: what detectors know about one emerging issue, and how severe it has become."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ombuds.incidents.detectors.types import Alarm, Severity, Signal, from_timestamp, speaker_of

ChangeKind = Literal["opened", "grew", "escalated", "signal", "quiet", "reopened"]

SAMPLE_HEAD = 60  # the first mentions are always kept: they show how it started
SAMPLE_SIZE = 240
RECENT_IDS = 4000
TOP_AUTHORS = 500


@dataclass(frozen=True, slots=True)
class StormMessage:
    """What a storm remembers of one of its mentions."""

    mention_id: int
    at: float
    text: str
    voice: str  # who wrote it (``Observation.voice``)
    followers: int
    engagement: int
    is_negative: bool
    sentiment: str | None

    def to_state(self) -> list[Any]:
        return [
            self.mention_id,
            self.at,
            self.text,
            self.voice,
            self.followers,
            self.engagement,
            int(self.is_negative),
            self.sentiment,
        ]

    @classmethod
    def from_state(cls, row: list[Any]) -> StormMessage:
        mention_id, at, text, voice, followers, engagement, negative, sentiment = row
        return cls(
            int(mention_id),
            float(at),
            text,
            voice,
            int(followers),
            int(engagement),
            bool(negative),
            sentiment,
        )


@dataclass(frozen=True, slots=True)
class StormChange:
    """What changed in a storm: the stage turns each into incident rows, links and events."""

    storm_id: int
    kind: ChangeKind
    at: datetime
    mention_ids: tuple[int, ...] = ()
    alarm: Alarm | None = None


@dataclass
class Storm:
    """One emerging issue as the detectors see it."""

    storm_id: int
    signal: Signal
    key: str
    opened_at: datetime
    last_activity_at: datetime
    severity: Severity = Severity.LOW
    is_open: bool = True
    is_resolved: bool = False
    keys: set[str] = field(default_factory=set)
    signals: set[str] = field(default_factory=set)
    phrases: dict[int, str] = field(default_factory=dict)
    mention_count: int = 0
    negative_count: int = 0
    sentiments: Counter[str] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    author_count: int = 0
    reach: int = 0
    engagement: int = 0
    first_mention_at: float | None = None
    last_mention_at: float | None = None
    peak: dict[str, Any] = field(default_factory=dict)  # the strongest alarm's evidence
    sample: list[StormMessage] = field(default_factory=list)
    top: list[StormMessage] = field(default_factory=list)  # widest-reaching mentions
    recent_ids: deque[int] = field(default_factory=lambda: deque(maxlen=RECENT_IDS))
    representative_id: int | None = None
    representative_text: str = ""
    represented_at_count: int = 0
    _recent_set: set[int] = field(default_factory=set)

    def overlap(self, mention_ids: AbstractSet[int]) -> int:
        """How many of these mentions it holds. Asked of every storm for an alarm whose window may
        hold a day of mentions: a set's intersection walks the smaller of the two."""
        return len(self._recent_set.intersection(mention_ids))

    def attach(self, message: StormMessage, rng: random.Random) -> bool:
        """Count a mention in; False when it was already in."""
        if message.mention_id in self._recent_set:
            return False
        if len(self.recent_ids) == self.recent_ids.maxlen:
            self._recent_set.discard(self.recent_ids[0])
        self.recent_ids.append(message.mention_id)
        self._recent_set.add(message.mention_id)
        self.mention_count += 1
        self.negative_count += int(message.is_negative)
        if message.sentiment:
            self.sentiments[message.sentiment] += 1
        if message.voice not in self.authors:
            self.author_count += 1
            self.reach += message.followers
            if len(self.authors) < TOP_AUTHORS:
                self.authors[message.voice] = 0
        if message.voice in self.authors:
            self.authors[message.voice] += 1
        self.engagement += message.engagement
        self.first_mention_at = min(self.first_mention_at or message.at, message.at)
        self.last_mention_at = max(self.last_mention_at or message.at, message.at)
        self._sample(message, rng)
        self._rank_top(message)
        return True

    def _sample(self, message: StormMessage, rng: random.Random) -> None:
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append(message)
            return
        slot = rng.randrange(self.mention_count)
        if slot < SAMPLE_SIZE - SAMPLE_HEAD:
            self.sample[SAMPLE_HEAD + slot] = message

    def _rank_top(self, message: StormMessage) -> None:
        if message.followers <= 0 and message.engagement <= 0:
            return
        self.top.append(message)
        self.top.sort(key=lambda m: m.followers + 100 * m.engagement, reverse=True)
        del self.top[5:]

    @property
    def negative_share(self) -> float:
        return self.negative_count / self.mention_count if self.mention_count else 0.0

    def evidence(self) -> dict[str, Any]:
        """What PR needs to judge the storm at a glance: counts, baseline, messages, authors, reach."""
        return {
            "mention_count": self.mention_count,
            "author_count": self.author_count,
            "negative_share": round(self.negative_share, 3),
            "sentiments": dict(self.sentiments),
            "reach": self.reach,
            "engagement": self.engagement,
            "signals": sorted(self.signals),
            "keys": sorted(self.keys),
            "phrases": sorted(self.phrases.values())[:10],
            "peak": self.peak,
            "representative": {"mention_id": self.representative_id, "text": self.representative_text},
            "top_messages": [
                {
                    "mention_id": m.mention_id,
                    "text": m.text,
                    **_speaker(m.voice),
                    "followers": m.followers,
                    "engagement": m.engagement,
                }
                for m in self.top
            ],
            "top_authors": [{**_speaker(v), "mentions": n} for v, n in self.authors.most_common(5)],
        }

    def to_state(self) -> dict[str, Any]:
        return {
            "storm_id": self.storm_id,
            "signal": self.signal.value,
            "key": self.key,
            "opened_at": self.opened_at.timestamp(),
            "last_activity_at": self.last_activity_at.timestamp(),
            "severity": self.severity.value,
            "is_open": self.is_open,
            "is_resolved": self.is_resolved,
            "keys": sorted(self.keys),
            "signals": sorted(self.signals),
            "phrases": [[k, v] for k, v in self.phrases.items()],
            "mention_count": self.mention_count,
            "negative_count": self.negative_count,
            "sentiments": dict(self.sentiments),
            "authors": dict(self.authors),
            "author_count": self.author_count,
            "reach": self.reach,
            "engagement": self.engagement,
            "first_mention_at": self.first_mention_at,
            "last_mention_at": self.last_mention_at,
            "peak": self.peak,
            "sample": [m.to_state() for m in self.sample],
            "top": [m.to_state() for m in self.top],
            "recent_ids": list(self.recent_ids),
            "representative_id": self.representative_id,
            "representative_text": self.representative_text,
            "represented_at_count": self.represented_at_count,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Storm:
        storm = cls(
            storm_id=int(state["storm_id"]),
            signal=Signal(state["signal"]),
            key=state["key"],
            opened_at=from_timestamp(state["opened_at"]),
            last_activity_at=from_timestamp(state["last_activity_at"]),
            severity=Severity(state["severity"]),
            is_open=bool(state["is_open"]),
            is_resolved=bool(state["is_resolved"]),
            keys=set(state["keys"]),
            signals=set(state["signals"]),
            phrases={int(k): v for k, v in state["phrases"]},
            mention_count=int(state["mention_count"]),
            negative_count=int(state["negative_count"]),
            sentiments=Counter(state["sentiments"]),
            authors=Counter(state["authors"]),
            author_count=int(state["author_count"]),
            reach=int(state["reach"]),
            engagement=int(state["engagement"]),
            first_mention_at=state["first_mention_at"],
            last_mention_at=state["last_mention_at"],
            peak=dict(state["peak"]),
            sample=[StormMessage.from_state(row) for row in state["sample"]],
            top=[StormMessage.from_state(row) for row in state["top"]],
            representative_id=state["representative_id"],
            representative_text=state["representative_text"],
            represented_at_count=int(state["represented_at_count"]),
        )
        for mention_id in state["recent_ids"]:
            storm.recent_ids.append(int(mention_id))
        storm._recent_set = set(storm.recent_ids)
        return storm


def _speaker(voice: str) -> dict[str, str | None]:
    """A voice as the incident page names it: the handle, and the channel it spoke on."""
    channel, handle = speaker_of(voice)
    return {"author": handle, "channel": channel}


def assess_severity(storm: Storm) -> Severity:
    """Severity from size, speed, tone and reach; it only ever rises while the storm lives."""
    count, negative = storm.mention_count, storm.negative_share
    ratio = float(storm.peak.get("ratio", 0.0))
    level = Severity.LOW
    if count >= 15 or ratio >= 4 or storm.reach >= 100_000 or Signal.HIGH_REACH.value in storm.signals:
        level = Severity.MEDIUM
    hostile = negative >= 0.4
    if (count >= 50 and hostile) or (ratio >= 8 and count >= 30) or storm.reach >= 1_000_000:
        level = Severity.HIGH
    if "signal:safety" in storm.keys and count >= 3:
        level = max(level, Severity.HIGH, key=lambda s: s.rank)
    if (count >= 200 and hostile) or storm.reach >= 10_000_000:
        level = Severity.CRITICAL
    return max(level, storm.severity, key=lambda s: s.rank)
