"""The names under a dashboard chart's bars read forwards, whatever the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.metrics.pages import bucket_labels


def spans(first: datetime, count: int, step: timedelta) -> list[tuple[datetime, datetime]]:
    return [(first + i * step, first + (i + 1) * step) for i in range(count)]


def test_days_within_a_year_are_day_and_month() -> None:
    assert bucket_labels(spans(datetime(2026, 11, 28, tzinfo=UTC), 3, timedelta(days=1)), timezone="UTC") == [
        "28 Nov",
        "29 Nov",
        "30 Nov",
    ]


def test_weeks_across_new_year_carry_the_year() -> None:
    assert bucket_labels(
        spans(datetime(2025, 12, 22, tzinfo=UTC), 3, timedelta(weeks=1)), timezone="UTC"
    ) == [
        "22 Dec 25",
        "29 Dec 25",
        "05 Jan 26",
    ]


def test_twelve_months_of_thirty_day_bars_read_forwards() -> None:
    labels = bucket_labels(spans(datetime(2025, 12, 5, tzinfo=UTC), 13, timedelta(days=30)), timezone="UTC")
    assert labels[0] == "05 Dec 25"
    assert labels[-1] == "30 Nov 26"
    assert bucket_labels([], timezone="UTC") == []


def test_a_bar_is_named_by_the_day_it_begins_where_the_brand_is() -> None:
    # midnight in Sydney (UTC+11 in December) is the afternoon before in UTC
    first = datetime(2026, 11, 30, 13, tzinfo=UTC)
    assert bucket_labels(spans(first, 2, timedelta(days=1)), timezone="Australia/Sydney") == [
        "01 Dec",
        "02 Dec",
    ]
    assert bucket_labels(spans(first, 2, timedelta(days=1)), timezone="UTC") == ["30 Nov", "01 Dec"]
