"""How many people a mention can reach: a 0–1 score and a tier for routing and sorting.

Audience (followers) dominates, engagement already gathered (reposts, replies, likes) shows it
is spreading, and who the author is (media, verified) multiplies both. Private messages reach
nobody but the brand. Logarithmic because audiences span six orders of magnitude.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar

from ombuds.enrichment.base import Finding, MentionFacts

VERSION = "formula-2026.11.1"

# Tier lower bounds on the score. From followers alone: medium ≈ 1,000, high ≈ 20,000,
# very_high ≈ 180,000; engagement and the author's kind lift a smaller account.
TIERS = (("very_high", 0.75), ("high", 0.615), ("medium", 0.43), ("low", 0.0))

ENGAGEMENT_KEYS = {
    "reposts": ("retweets", "retweet_count", "reposts", "reblogs", "shares", "share_count", "quotes"),
    "replies": ("replies", "reply_count", "comments", "comment_count"),
    "likes": ("likes", "like_count", "favorites", "favorite_count", "favourites", "reactions", "upvotes"),
}
# A repost puts the message in front of a new audience; a like mostly does not.
ENGAGEMENT_WEIGHTS = {"reposts": 20.0, "replies": 5.0, "likes": 1.0}
AUTHOR_BOOST = {"media": 0.15, "journalist": 0.15, "official": 0.1, "brand": 0.05}


KIND_OF_KEY = {key: kind for kind, keys in ENGAGEMENT_KEYS.items() for key in keys}
#: More than any post has had or any account followed by (a quadrillion): a channel's or client's
#: count beyond it is read as this, so sums stay within what the finding's JSON can store.
MOST = 10**15


def engagement(metrics: Mapping[str, int]) -> dict[str, int]:
    """Reposts, replies and likes under whatever names the channel uses."""
    totals = dict.fromkeys(ENGAGEMENT_KEYS, 0)
    for key, value in metrics.items():
        kind = KIND_OF_KEY.get(key)
        if kind is not None:
            totals[kind] += _as_int(value)
    return totals


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    if isinstance(value, int | float):
        return min(MOST, max(0, int(value)))
    if isinstance(value, str):
        text = value.strip()
        # isascii: "²".isdigit() is true, yet int("²") fails; int() of thousands of digits raises
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return min(MOST, int(text))
    return 0


def reach_score(facts: MentionFacts) -> tuple[float, dict[str, object]]:
    """The score and the parts it was made of (shown to people who ask "why is this first?")."""
    followers = min(MOST, max(0, facts.author_followers or 0))
    counts = engagement(facts.metrics)
    echo = sum(ENGAGEMENT_WEIGHTS[kind] * count for kind, count in counts.items())
    audience = math.log10(1 + followers) / 7  # 10 M followers → 1.0
    spread = math.log10(1 + echo) / 6
    boost = AUTHOR_BOOST.get(facts.author_type, 0.0) + (0.05 if facts.author_verified else 0.0)
    score = min(1.0, max(audience, spread) + 0.5 * min(audience, spread) + boost)
    if not facts.is_public:
        score = 0.0
    parts: dict[str, object] = {
        "followers": followers,
        "engagement": counts,
        "audience": round(audience, 4),
        "spread": round(spread, 4),
        "author_boost": boost,
        "is_public": facts.is_public,
    }
    return round(score, 4), parts


def tier(score: float) -> str:
    return next(name for name, lower in TIERS if score >= lower)


class ReachAnalyzer:
    """Label is the tier (low, medium, high, very_high); score is the 0–1 reach score."""

    name: ClassVar[str] = "reach"

    @property
    def version(self) -> str:
        return VERSION

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        findings = []
        for facts in batch:
            score, parts = reach_score(facts)
            findings.append(Finding(self.name, VERSION, tier(score), score, parts))
        return findings
