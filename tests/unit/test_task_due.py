"""A task due on a date is due at the end of that day where the brand is, across clock changes too."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ombuds.tasks.due import due_label, is_overdue
from ombuds.timezones import end_of_day


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_due_on_the_4th_in_los_angeles_is_not_overdue_at_6_pm_there_and_is_after_its_midnight() -> None:
    due = end_of_day(date(2026, 12, 4), timezone="America/Los_Angeles")

    assert not is_overdue(due, now=at("2026-12-05T02:00:00Z"))  # 18:00 on the 4th in Los Angeles
    assert not is_overdue(due, now=at("2026-12-04T23:59:59.999-08:00"))
    assert is_overdue(due, now=at("2026-12-05T00:00:00-08:00"))
    assert is_overdue(due, now=at("2026-12-05T08:30:00Z"))


def test_due_on_the_4th_in_sydney_is_overdue_before_the_4th_ends_in_utc() -> None:
    due = end_of_day(date(2026, 12, 4), timezone="Australia/Sydney")

    assert not is_overdue(due, now=at("2026-12-04T12:30:00Z"))  # 23:30 in Sydney
    assert is_overdue(due, now=at("2026-12-04T13:30:00Z"))  # 00:30 on the 5th in Sydney


def test_the_day_the_clocks_go_back_is_25_hours_long_and_its_due_date_ends_with_it() -> None:
    # Los Angeles goes from daylight time (-07:00) to standard time (-08:00) early on 1 November.
    assert end_of_day(date(2026, 10, 31), timezone="America/Los_Angeles") == at("2026-11-01T06:59:59.999999Z")
    assert end_of_day(date(2026, 11, 1), timezone="America/Los_Angeles") == at("2026-11-02T07:59:59.999999Z")
    # Beirut goes back at midnight: 23:00 to 24:00 on 24 October comes twice, and the day ends after
    # the second time, not at the first 23:59.
    assert end_of_day(date(2026, 10, 24), timezone="Asia/Beirut") == at("2026-10-24T21:59:59.999999Z")


def test_a_due_date_reads_as_the_brands_day_with_the_zones_name_and_a_time_only_when_it_is_not_the_end() -> (
    None
):
    end_of_the_4th = end_of_day(date(2026, 12, 4), timezone="America/Los_Angeles")

    assert (
        due_label(end_of_the_4th, timezone="America/Los_Angeles") == "Fri 04 Dec 2026 (America/Los_Angeles)"
    )
    assert due_label(end_of_the_4th, timezone="UTC") == "Sat 05 Dec 2026 07:59 UTC"
    assert (
        due_label(at("2026-12-03T12:00:00+00:00"), timezone="America/Los_Angeles")
        == "Thu 03 Dec 2026 04:00 PST"
    )
