"""When a brand's weekly digest is due: its day and hour in its own time zone, once a week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ombuds.metrics.schedule import (
    due_week,
    last_whole_week,
    parse_day,
    parse_recipients,
    retry_delay,
    week_bounds,
)


def test_the_week_is_due_from_the_local_day_and_hour_on() -> None:
    monday = date(2026, 12, 7)
    new_york = {"timezone": "America/New_York", "weekday": 0, "hour": 8}
    # 12:59 UTC is 07:59 in New York (UTC-5 in December): not yet, though it is past 08:00 UTC
    assert due_week(datetime(2026, 12, 7, 12, 59, tzinfo=UTC), **new_york) is None
    assert due_week(datetime(2026, 12, 7, 13, 0, tzinfo=UTC), **new_york) == monday
    assert due_week(datetime(2026, 12, 13, 23, 0, tzinfo=UTC), **new_york) == monday, "all week long"
    # Sunday evening in New York is already Monday in UTC: still last week's Monday there
    assert due_week(datetime(2026, 12, 14, 3, 0, tzinfo=UTC), **new_york) == monday


def test_a_later_day_waits_for_it_within_its_week() -> None:
    friday_17 = {"timezone": "Europe/Berlin", "weekday": 4, "hour": 17}
    assert due_week(datetime(2026, 12, 10, 20, 0, tzinfo=UTC), **friday_17) is None
    assert due_week(datetime(2026, 12, 11, 16, 0, tzinfo=UTC), **friday_17) == date(2026, 12, 7)


def test_days_by_name() -> None:
    assert parse_day("Monday") == 0
    assert parse_day("sun") == 6
    with pytest.raises(ValueError, match="day: one of monday"):
        parse_day("someday")


def test_a_week_runs_monday_to_monday_local_time_167_or_169_hours_when_the_clocks_change() -> None:
    def hours(monday: date, timezone: str) -> float:
        start, end = week_bounds(monday, timezone=timezone)
        return (end - start).total_seconds() / 3600

    # New York: clocks go back on Sunday 1 November 2026 and forward on Sunday 8 March 2026
    assert week_bounds(date(2026, 10, 26), timezone="America/New_York") == (
        datetime(2026, 10, 26, 4, 0, tzinfo=UTC),  # 00:00 EDT
        datetime(2026, 11, 2, 5, 0, tzinfo=UTC),  # 00:00 EST
    )
    assert hours(date(2026, 10, 26), "America/New_York") == 169
    assert hours(date(2026, 3, 2), "America/New_York") == 167
    assert hours(date(2026, 12, 7), "America/New_York") == 168
    assert hours(date(2026, 12, 7), "UTC") == 168


def test_the_digest_covers_the_last_whole_local_week() -> None:
    # Monday 05:30 UTC is still Monday 00:30 in New York: the week that ended is the one before
    assert last_whole_week(datetime(2026, 11, 2, 5, 30, tzinfo=UTC), timezone="America/New_York") == date(
        2026, 10, 26
    )
    # Monday 04:30 UTC is Sunday 23:30 in New York: that week has not ended yet
    assert last_whole_week(datetime(2026, 11, 2, 4, 30, tzinfo=UTC), timezone="America/New_York") == date(
        2026, 10, 19
    )


def test_a_failed_send_waits_1_2_4_minutes_up_to_an_hour_with_jitter() -> None:
    def longest(failures: int) -> timedelta:
        return retry_delay(failures, rng=lambda: 1.0)

    assert [longest(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert longest(7) == timedelta(hours=1) == longest(10_000)
    assert retry_delay(1, rng=lambda: 0.0) == timedelta(seconds=30), "jitter draws from half of it"


def test_recipients_are_read_from_lines_or_commas_and_a_bad_one_is_named() -> None:
    assert parse_recipients("ceo@skyways.example,\n cfo@skyways.example; ") == [
        "ceo@skyways.example",
        "cfo@skyways.example",
    ]
    assert parse_recipients("  ") == []
    with pytest.raises(ValueError, match="recipients: 'ceo-at-skyways' is not an email address"):
        parse_recipients("cfo@skyways.example ceo-at-skyways")
    with pytest.raises(ValueError, match="at most 50"):
        parse_recipients(" ".join(f"p{n}@skyways.example" for n in range(51)))
