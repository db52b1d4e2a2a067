"""When a brand's weekly digest is due: its day and hour in its own time zone, once a week."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ombuds.metrics.schedule import due_week, parse_day


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
