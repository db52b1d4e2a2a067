"""How well a promise holds up against customers' experiences: pure arithmetic on matched experiences.

* Alignment is the share of experiences that confirm the promise among those that confirm or
  contradict it (neutral ones count for volume only).
* Echoes count once: copies in one near-duplicate group are one voice, weighted by the loudest
  copy plus a little for the echo count, so a copy-paste campaign cannot swing a score.
* Reach weighs a voice between 1 (nobody follows) and 5 (a very large audience), but the
  uncertainty comes from the number of voices, not from the weights: the weighted share is
  turned back into effective counts over the voices and given a Beta(1, 1) prior, so two
  messages give a wide interval and a few more cannot swing the score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scipy.special import betaincinv  # the Beta quantile; scipy.stats takes seconds to import

from ombuds.promises.matching import Stance

REACH_WEIGHT = 4.0
ECHO_WEIGHT = 0.25
INTERVAL = 0.90
#: An alert needs at least this many contradicting voices in the recent period.
ALERT_MIN_VOICES = 5
ALERT_RATIO = 2.0


@dataclass(frozen=True, slots=True)
class Experience:
    """One matched message as scoring sees it."""

    occurred_at: datetime
    stance: Stance
    reach: float = 0.0  # 0–1 from the reach analyzer
    echo_group: str | None = None


@dataclass(frozen=True, slots=True)
class Alignment:
    """Alignment of one promise over one period."""

    messages: int
    voices: int
    confirming: float  # effective voices
    contradicting: float
    neutral: int
    score: float | None  # posterior mean share confirming; None without any confirming/contradicting voice
    low: float | None
    high: float | None

    @property
    def is_settled(self) -> bool:
        """True when the interval is narrow enough to report the score as a number."""
        return self.low is not None and self.high is not None and self.high - self.low <= 0.35


def voice_weight(reach: float) -> float:
    return 1.0 + REACH_WEIGHT * min(max(reach, 0.0), 1.0)


def _voices(experiences: Sequence[Experience]) -> list[tuple[Stance, float]]:
    """One (stance, weight) per voice: echoes of one group with one stance collapse."""
    groups: dict[tuple[str, Stance], list[Experience]] = {}
    single: list[tuple[Stance, float]] = []
    for experience in experiences:
        if experience.echo_group:
            groups.setdefault((experience.echo_group, experience.stance), []).append(experience)
        else:
            single.append((experience.stance, voice_weight(experience.reach)))
    for (_, stance), members in groups.items():
        loudest = max(voice_weight(member.reach) for member in members)
        single.append((stance, loudest * (1.0 + ECHO_WEIGHT * math.log1p(len(members) - 1))))
    return single


def alignment(experiences: Sequence[Experience]) -> Alignment:
    voices = _voices(experiences)
    confirming = sum(weight for stance, weight in voices if stance is Stance.CONFIRMS)
    contradicting = sum(weight for stance, weight in voices if stance is Stance.CONTRADICTS)
    polar = sum(1 for stance, _ in voices if stance is not Stance.NEUTRAL)
    neutral = sum(1 for stance, _ in voices if stance is Stance.NEUTRAL)
    if polar == 0:
        return Alignment(len(experiences), len(voices), 0.0, 0.0, neutral, None, None, None)
    share = confirming / (confirming + contradicting)
    good, bad = share * polar, (1.0 - share) * polar
    a, b = 1.0 + good, 1.0 + bad
    tail = (1.0 - INTERVAL) / 2.0
    return Alignment(
        messages=len(experiences),
        voices=len(voices),
        confirming=round(good, 3),
        contradicting=round(bad, 3),
        neutral=neutral,
        score=round(a / (a + b), 4),
        low=round(float(betaincinv(a, b, tail)), 4),
        high=round(float(betaincinv(a, b, 1.0 - tail)), 4),
    )


@dataclass(frozen=True, slots=True)
class WindowScore:
    starts_at: datetime
    ends_at: datetime
    alignment: Alignment


def windows(
    experiences: Sequence[Experience], *, start: datetime, end: datetime, width: timedelta
) -> list[WindowScore]:
    """Alignment per consecutive window [start, end), e.g. per day or per week."""
    if width <= timedelta(0) or end <= start:
        return []
    count = math.ceil((end - start) / width)
    buckets: list[list[Experience]] = [[] for _ in range(count)]
    for experience in experiences:
        if start <= experience.occurred_at < end:
            buckets[int((experience.occurred_at - start) / width)].append(experience)
    return [
        WindowScore(start + index * width, min(end, start + (index + 1) * width), alignment(bucket))
        for index, bucket in enumerate(buckets)
    ]


@dataclass(frozen=True, slots=True)
class ChangeAlert:
    kind: str  # "contradictions_rose" or "alignment_fell"
    message: str
    ratio: float | None = None


def _per_day(experiences: Sequence[Experience], start: datetime, end: datetime) -> float:
    days = max((end - start) / timedelta(days=1), 1.0)
    voices = _voices(
        [e for e in experiences if start <= e.occurred_at < end and e.stance is Stance.CONTRADICTS]
    )
    return len(voices) / days


def _times(ratio: float) -> str:
    words = {2: "doubled", 3: "tripled", 4: "quadrupled"}
    rounded = int(ratio + 0.15)
    return words.get(rounded, f"rose {ratio:.1f}-fold") if rounded < 5 else f"rose {ratio:.0f}-fold"


def change_alerts(
    experiences: Sequence[Experience],
    *,
    promise_text: str,
    now: datetime,
    campaign_starts_at: datetime | None = None,
    recent: timedelta = timedelta(days=7),
) -> list[ChangeAlert]:
    """Contradictions rising against a baseline (before the campaign, or the weeks before), and scores falling."""
    if not experiences:
        return []
    first = min(e.occurred_at for e in experiences)
    if campaign_starts_at is not None and first < campaign_starts_at < now:
        split, since = campaign_starts_at, "since the campaign launched"
    else:
        split, since = now - recent, f"in the last {recent.days} days"
    if split <= first:
        return []
    before = [e for e in experiences if e.occurred_at < split]
    after = [e for e in experiences if split <= e.occurred_at < now]
    alerts: list[ChangeAlert] = []
    recent_voices = len(_voices([e for e in after if e.stance is Stance.CONTRADICTS]))
    rate_before = _per_day(experiences, first, split)
    rate_after = _per_day(experiences, split, now)
    if recent_voices >= ALERT_MIN_VOICES:
        ratio = rate_after / rate_before if rate_before > 0 else math.inf
        if ratio >= ALERT_RATIO:
            shown = "appeared" if math.isinf(ratio) else _times(ratio)
            alerts.append(
                ChangeAlert(
                    "contradictions_rose",
                    f"contradictions of '{promise_text}' {shown} {since}",
                    None if math.isinf(ratio) else round(ratio, 2),
                )
            )
    old, new = alignment(before), alignment(after)
    if old.low is not None and new.high is not None and new.high < old.low:
        alerts.append(
            ChangeAlert(
                "alignment_fell",
                f"alignment of '{promise_text}' fell from {old.score:.0%} to {new.score:.0%} {since}",
            )
        )
    return alerts
