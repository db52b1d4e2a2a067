"""Complaints alone in a quarter hour, judged by how often a stream of that volume would see as
many by chance: six unrelated complaints within minutes on a brand of 80 mentions a day open an
incident, the same count on a busy stream does not, and a quiet month opens nothing."""

from __future__ import annotations

import random
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ombuds.incidents.detectors import BrandMonitor, DetectorSettings, Observation
from ombuds.incidents.detectors.detect import NEGATIVE_KEY, by_chance_per_week

SETTINGS = DetectorSettings()
START = datetime(2026, 3, 2, tzinfo=UTC)
# six people, six different problems: no shared word, so neither agreement nor a cluster sees them
UNRELATED = (
    "the player crashed twice tonight",
    "billing took money without asking",
    "cannot login from this laptop anymore",
    "lyrics screen stays empty forever",
    "family invite link expired already",
    "support never answered yesterday's email",
)


@pytest.mark.parametrize("voices", [4, 5])
def test_the_chance_per_week_matches_a_simulated_stream(voices: int) -> None:
    # a stream of two complaints an hour for 300 weeks: how often does a quarter hour first hold `voices`?
    rng, rate, span = random.Random(7), 2.0, 0.25
    window: deque[float] = deque()
    now, reached = 0.0, 0
    while now < 300 * 168:
        now += rng.expovariate(rate)
        while window and window[0] <= now - span:
            window.popleft()
        reached += len(window) == voices - 1  # this complaint makes it `voices`
        window.append(now)
    predicted = by_chance_per_week(voices, rate * span, span, 0.0)
    assert reached / 300 == pytest.approx(predicted, rel=0.1)


def test_the_count_that_alarms_grows_with_the_stream_and_its_ratio_shrinks() -> None:
    def needed(expected: float) -> int:
        return next(
            voices
            for voices in range(SETTINGS.complaint_min_voices, 500)
            if by_chance_per_week(voices, expected, 0.25, 0.02) <= SETTINGS.complaint_alarms_per_week
        )

    usual = [0.1, 0.4, 2.0, 10.0, 50.0]  # complaints a quarter hour usually holds
    counts = [needed(expected) for expected in usual]
    assert counts[0] == SETTINGS.complaint_min_voices  # five where a tenth of one is usual
    assert counts == sorted(counts)
    assert by_chance_per_week(40, 50.0, 0.25, 0.02) == float("inf")  # fewer than usual: no chance event
    ratios = [count / expected for count, expected in zip(counts, usual, strict=True)]
    assert ratios == sorted(ratios, reverse=True)


def _small_brand(days: float, *, seed: int = 3) -> list[Observation]:
    """80 mentions a day from different people at random moments, two in five complaints."""
    rng = random.Random(seed)
    count = int(days * 80)
    moments = sorted(START + timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(count))
    return [
        Observation(
            mention_id=i + 1,
            at=at,
            text=f"question {i} about my account",
            author=f"regular{i}",
            sentiment="negative" if rng.random() < 0.4 else "neutral",
        )
        for i, at in enumerate(moments)
    ]


def _complaints(at: datetime) -> list[Observation]:
    return [
        Observation(
            mention_id=50_000 + i,
            at=at + timedelta(minutes=2 * i),
            text=f"@brand {text}",
            author=f"angry{i}",
            sentiment="negative",
        )
        for i, text in enumerate(UNRELATED)
    ]


def _opened(
    stream: list[Observation], settings: DetectorSettings = SETTINGS
) -> list[tuple[datetime, str, dict[str, Any]]]:
    monitor, opened = BrandMonitor(settings=settings), []
    for observation in sorted(stream, key=lambda o: (o.at, o.mention_id)):
        opened += [
            (change.at, change.alarm.key, change.alarm.evidence)
            for change in monitor.observe(observation)
            if change.kind == "opened" and change.alarm is not None
        ]
    return opened


def test_six_unrelated_complaints_within_minutes_on_a_small_brand_open_an_incident() -> None:
    quiet = _small_brand(days=21)
    at = START + timedelta(days=20, hours=15, minutes=7)
    opened = _opened([*quiet, *_complaints(at)])
    assert len(opened) == 1, opened
    moment, key, evidence = opened[0]
    assert at <= moment <= at + timedelta(minutes=15)
    assert key == NEGATIVE_KEY
    assert evidence["by_chance_per_week"] <= SETTINGS.complaint_alarms_per_week
    # the fixed tail alone misses it: the volume test needs far more on any stream
    assert _opened([*quiet, *_complaints(at)], DetectorSettings(complaint_min_voices=1000)) == []


def test_three_quiet_weeks_of_the_same_brand_open_nothing() -> None:
    assert _opened(_small_brand(days=21)) == []
