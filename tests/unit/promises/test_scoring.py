"""Scores move with experiences, but a handful of messages or a copy-paste wave cannot swing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.promises.models import Stance
from ombuds.promises.scorecard import trend_span
from ombuds.promises.scoring import Experience, alignment, change_alerts, windows

LAUNCH = datetime(2026, 3, 1, tzinfo=UTC)


def experiences(
    count: int, stance: Stance, *, day: int = 0, reach: float = 0.0, group: str | None = None
) -> list[Experience]:
    return [
        Experience(LAUNCH + timedelta(days=day, minutes=index), stance, reach=reach, echo_group=group)
        for index in range(count)
    ]


def test_contradicting_experiences_pull_the_score_down() -> None:
    happy = experiences(40, Stance.CONFIRMS) + experiences(10, Stance.CONTRADICTS)
    before = alignment(happy)
    after = alignment(happy + experiences(40, Stance.CONTRADICTS, day=1))
    assert before.score is not None
    assert after.score is not None
    assert before.score > 0.75
    assert after.score < 0.5
    assert after.high is not None
    assert before.low is not None
    assert after.high < before.low


def test_two_messages_give_a_wide_interval_that_many_narrow() -> None:
    few = alignment(experiences(2, Stance.CONTRADICTS))
    many = alignment(experiences(200, Stance.CONTRADICTS))
    assert few.low is not None
    assert few.high is not None
    assert many.low is not None
    assert many.high is not None
    assert few.high - few.low > 0.4
    assert not few.is_settled
    assert many.high - many.low < 0.05


def test_a_thousand_copies_count_as_one_voice() -> None:
    base = experiences(30, Stance.CONFIRMS) + experiences(10, Stance.CONTRADICTS)
    wave = experiences(1000, Stance.CONTRADICTS, group="copy-paste")
    scored = alignment(base + wave)
    assert scored.voices == 41
    assert scored.score is not None
    assert scored.score > 0.6


def test_a_large_audience_weighs_more_than_a_small_one() -> None:
    small = alignment(experiences(10, Stance.CONFIRMS) + experiences(10, Stance.CONTRADICTS, reach=0.0))
    loud = alignment(experiences(10, Stance.CONFIRMS) + experiences(10, Stance.CONTRADICTS, reach=1.0))
    assert small.score is not None
    assert loud.score is not None
    assert loud.score < small.score


def test_daily_windows_show_the_trend() -> None:
    series = windows(
        experiences(10, Stance.CONFIRMS, day=0) + experiences(10, Stance.CONTRADICTS, day=2),
        start=LAUNCH,
        end=LAUNCH + timedelta(days=3),
        width=timedelta(days=1),
    )
    assert [w.alignment.messages for w in series] == [10, 0, 10]
    assert series[1].alignment.score is None
    assert series[0].alignment.score is not None
    assert series[2].alignment.score is not None
    assert series[0].alignment.score > series[2].alignment.score


def test_tripled_contradictions_since_the_campaign_launched_raise_an_alert() -> None:
    before = [e for day in range(-10, 0) for e in experiences(2, Stance.CONTRADICTS, day=day)]
    after = [e for day in range(0, 5) for e in experiences(6, Stance.CONTRADICTS, day=day)]
    alerts = change_alerts(
        before + after,
        promise_text="On time, every time",
        now=LAUNCH + timedelta(days=5),
        campaign_starts_at=LAUNCH,
    )
    assert alerts
    assert alerts[0].message == "contradictions of 'On time, every time' tripled since the campaign launched"


def test_a_steady_rate_raises_no_alert() -> None:
    steady = [e for day in range(-10, 5) for e in experiences(3, Stance.CONTRADICTS, day=day)]
    assert (
        change_alerts(steady, promise_text="x", now=LAUNCH + timedelta(days=5), campaign_starts_at=LAUNCH)
        == []
    )


def test_a_young_promise_is_trended_per_day_and_an_established_one_per_week() -> None:
    now = LAUNCH + timedelta(days=4, hours=6)
    young = [Experience(LAUNCH + timedelta(days=day), Stance.CONTRADICTS) for day in range(4)]
    start, width = trend_span(young, now)
    assert width == timedelta(days=1)
    assert start <= LAUNCH < start + width, "the first day with a voice is the first point"
    assert len(windows(young, start=start, end=now, width=width)) == 5

    established = [Experience(LAUNCH - timedelta(days=60), Stance.CONFIRMS), *young]
    start, width = trend_span(established, now)
    assert (now - start, width) == (timedelta(days=28), timedelta(days=7))
