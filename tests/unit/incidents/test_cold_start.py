"""A brand whose baseline is not established yet (its first days at eight messages a day) still
hears of a burst no young baseline could explain, and a stream only now starting does not."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ombuds.incidents.detectors import BrandMonitor, Observation

START = datetime(2026, 3, 2, tzinfo=UTC)


def trickle(days: float, per_day: int, *, seed: int = 1, first_id: int = 1) -> list[Observation]:
    """Steady ordinary mentions from different people, at random moments."""
    rng = random.Random(seed)
    count = int(days * per_day)
    moments = sorted(START + timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(count))
    return [
        Observation(
            mention_id=first_id + i, at=at, text=f"question {i} about my account", author=f"regular{i}"
        )
        for i, at in enumerate(moments)
    ]


def burst(at: datetime, *, people: int, minutes: float, first_id: int) -> list[Observation]:
    step = timedelta(minutes=minutes) / people
    return [
        Observation(
            mention_id=first_id + i,
            at=at + i * step,
            text=f"the app logged me out and now nothing works {i}",
            author=f"angry{i}",
            sentiment="negative",
        )
        for i in range(people)
    ]


def replay(stream: list[Observation]) -> tuple[BrandMonitor, list[datetime]]:
    monitor, opened = BrandMonitor(), []
    for observation in sorted(stream, key=lambda o: (o.at, o.mention_id)):
        opened += [change.at for change in monitor.observe(observation) if change.kind == "opened"]
    return monitor, opened


def test_a_burst_in_a_small_brand_s_first_week_opens_an_incident_within_15_minutes() -> None:
    quiet = trickle(days=3.5, per_day=8)
    at = START + timedelta(days=3, hours=14)
    assert not replay(quiet)[0].is_established  # the ordinary volume test cannot judge it yet
    _, opened = replay([*quiet, *burst(at, people=30, minutes=30, first_id=10_000)])
    assert len(opened) == 1
    assert at <= opened[0] <= at + timedelta(minutes=15)


def test_the_same_first_week_without_a_burst_opens_nothing() -> None:
    assert replay(trickle(days=4, per_day=8))[1] == []


def test_a_stream_only_now_starting_is_not_judged_by_its_near_silence_before() -> None:
    # two messages a day for a week, then a brand connecting its busy channel: 300 a day
    silence = trickle(days=7, per_day=2)
    busy = [
        Observation(mention_id=o.mention_id + 5000, at=o.at + timedelta(days=7), text=o.text, author=f"b{i}")
        for i, o in enumerate(trickle(days=1, per_day=300, seed=2))
    ]
    assert replay([*silence, *busy])[1] == []


def test_yesterday_s_burst_does_not_blind_a_small_brand_to_today_s() -> None:
    # The hour of a burst counted in full in the last day's rate the test judges by: on a brand
    # of 16 a day, yesterday's 30 people doubled it, and a second problem the next day opened
    # after 22 minutes instead of 12.
    quiet = trickle(days=4.5, per_day=16)
    first, second = START + timedelta(days=2, hours=14), START + timedelta(days=3, hours=13)
    monitor, _ = replay(
        [
            *[o for o in quiet if o.at < second],
            *burst(first, people=30, minutes=30, first_id=10_000),
            *burst(second, people=34, minutes=40, first_id=20_000)[:1],
        ]
    )
    assert not monitor.is_established  # the second burst is judged by the cold start
    _, opened = replay(
        [
            *quiet,
            *burst(first, people=30, minutes=30, first_id=10_000),
            *burst(second, people=34, minutes=40, first_id=20_000),
        ]
    )
    assert len(opened) == 2
    assert second <= opened[1] <= second + timedelta(minutes=15), opened[1] - second
