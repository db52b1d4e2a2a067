"""What detectors see of a mention: its facts plus what the analysis engine said about it.

Works the same from stored enrichment rows (the pipeline) and from fresh findings (evaluation),
since both carry an analyzer's ``label``, ``score`` and ``data``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from ombuds.enrichment.findings import SIGNALS, SignalsData
from ombuds.incidents.detectors import Observation

# Signals whose rise is itself news; the others (private channel, repeat contact) are not.
WATCHED_SIGNALS = frozenset({"safety", "legal_threat", "churn_threat", "executive_escalation"})
ENGAGEMENT_KEYS = (
    "retweets",
    "retweet_count",
    "reposts",
    "reblogs",
    "shares",
    "share_count",
    "quotes",
    "replies",
    "reply_count",
    "comments",
)


class FindingLike(Protocol):
    """An analyzer's result: an ``Enrichment`` row or an ``enrichment.base.Finding``."""

    @property
    def label(self) -> str | None: ...

    @property
    def data(self) -> Mapping[str, Any]: ...


def engagement_of(metrics: Mapping[str, Any] | None) -> int:
    """Shares and replies: how far a message has travelled (likes mostly do not carry it)."""
    total = 0
    for key in ENGAGEMENT_KEYS:
        value = (metrics or {}).get(key)
        if isinstance(value, int | float) and value > 0:
            total += int(value)
    return total


def observation_from(
    *,
    mention_id: int,
    created_at: datetime,
    text: str,
    author: str,
    channel: str,
    followers: int | None,
    metrics: Mapping[str, Any] | None,
    findings: Mapping[str, FindingLike],
    in_reply_to: str | None = None,
) -> Observation:
    """One observation from a mention's facts and its findings keyed by analyzer name."""
    sentiment = findings.get("sentiment")
    category = findings.get("category")
    duplicates = findings.get("duplicates")
    found = findings.get(SIGNALS)
    signals = (
        SignalsData.parse(found.data, where=f"mention {mention_id}").names
        if found is not None
        else frozenset()
    )
    return Observation(
        mention_id=mention_id,
        at=created_at,
        text=text,
        author=author,
        sentiment=sentiment.label if sentiment is not None else None,
        category=category.label if category is not None else None,
        channel=channel,
        signals=tuple(sorted(name for name in signals if name in WATCHED_SIGNALS)),
        followers=followers,
        engagement=engagement_of(metrics),
        is_media="media_author" in signals,
        duplicate_group=duplicates.label if duplicates is not None else None,
        in_reply_to=in_reply_to,
    )
