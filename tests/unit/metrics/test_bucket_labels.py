"""The names under a dashboard chart's bars read forwards, whatever the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.metrics.pages import bucket_labels


def spans(first: datetime, count: int, step: timedelta) -> list[tuple[datetime, datetime]]:
    return [(first + i * step, first + (i + 1) * step) for i in range(count)]


def test_days_within_a_year_are_day_and_month() -> None:
    assert bucket_labels(spans(datetime(2026, 11, 28, tzinfo=UTC), 3, timedelta(days=1))) == [
        "28 Nov",
        "29 Nov",
        "30 Nov",
    ]


def test_weeks_across_new_year_carry_the_year() -> None:
    assert bucket_labels(spans(datetime(2025, 12, 22, tzinfo=UTC), 3, timedelta(weeks=1))) == [
        "22 Dec 25",
        "29 Dec 25",
        "05 Jan 26",
    ]


def test_twelve_months_of_thirty_day_bars_read_forwards() -> None:
    labels = bucket_labels(spans(datetime(2025, 12, 5, tzinfo=UTC), 13, timedelta(days=30)))
    assert labels[0] == "05 Dec 25"
    assert labels[-1] == "30 Nov 26"
    assert bucket_labels([]) == []
