"""Business-hours arithmetic: weekends, holidays, split days and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ombuds.routing.business_hours import (
    ALL_DAY,
    ALWAYS_OPEN,
    BusinessHours,
    NoBusinessHoursError,
    Window,
    add_business_time,
    business_elapsed,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def office(zone: str, *windows: str, holidays: tuple[date, ...] = ()) -> BusinessHours:
    parsed = tuple(Window.parse(w) for w in windows or ("09:00-17:00",))
    return BusinessHours(timezone=zone, weekly=dict.fromkeys(range(5), parsed), holidays=frozenset(holidays))


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def test_always_open_hours_are_plain_clock_time() -> None:
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert add_business_time(ALWAYS_OPEN, start, timedelta(hours=4)) == start + timedelta(hours=4)
    assert business_elapsed(ALWAYS_OPEN, start, start + timedelta(days=2)) == timedelta(days=2)


def test_friday_afternoon_deadline_lands_on_monday_morning_after_london_clocks_go_forward() -> None:
    hours = office("Europe/London")
    friday = local(LONDON, 2026, 3, 27, 16, 0)  # GMT
    due = add_business_time(hours, friday, timedelta(hours=2))
    assert due == local(LONDON, 2026, 3, 30, 10, 0)  # BST: 09:00 UTC, not 10:00 UTC
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert business_elapsed(hours, friday, due) == timedelta(hours=2)


def test_friday_afternoon_deadline_after_london_clocks_go_back() -> None:
    hours = office("Europe/London")
    friday = local(LONDON, 2026, 10, 23, 16, 0)  # BST
    due = add_business_time(hours, friday, timedelta(hours=2))
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # 10:00 GMT


@pytest.mark.parametrize(
    ("day", "length"),
    [(date(2026, 3, 29), timedelta(hours=23)), (date(2026, 10, 25), timedelta(hours=25))],
)
def test_an_all_day_policy_counts_the_real_length_of_a_daylight_saving_day(
    day: date, length: timedelta
) -> None:
    hours = BusinessHours(timezone="Europe/London", weekly=dict.fromkeys(range(7), ALL_DAY))
    start = datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)
    assert business_elapsed(hours, start, end) == length


def test_new_york_weekend_across_spring_forward_counts_only_office_hours() -> None:
    hours = office("America/New_York")
    friday_noon = local(NEW_YORK, 2026, 3, 6, 12, 0)  # EST
    monday_noon = local(NEW_YORK, 2026, 3, 9, 12, 0)  # EDT
    assert business_elapsed(hours, friday_noon, monday_noon) == timedelta(hours=8)
    assert add_business_time(hours, friday_noon, timedelta(hours=8)) == monday_noon


def test_new_york_fall_back_keeps_the_office_day_eight_hours() -> None:
    hours = office("America/New_York")
    friday = local(NEW_YORK, 2026, 10, 30, 9, 0)
    monday_end = local(NEW_YORK, 2026, 11, 2, 17, 0)
    assert business_elapsed(hours, friday, monday_end) == timedelta(hours=16)


def test_a_window_in_the_spring_forward_gap_lasts_one_real_hour() -> None:
    hours = BusinessHours(timezone="Europe/London", weekly={6: (Window.parse("01:00-03:00"),)})
    day_start = local(LONDON, 2026, 3, 29, 0, 0)
    assert business_elapsed(hours, day_start, day_start + timedelta(hours=12)) == timedelta(hours=1)


def test_holidays_have_no_business_time() -> None:
    hours = office("Europe/London", holidays=(date(2026, 12, 25), date(2026, 12, 28)))
    christmas_eve = local(LONDON, 2026, 12, 24, 16, 0)  # Thursday
    due = add_business_time(hours, christmas_eve, timedelta(hours=2))
    assert due == local(LONDON, 2026, 12, 29, 10, 0)  # Fri and Mon holidays, then the weekend
    assert business_elapsed(hours, christmas_eve, due) == timedelta(hours=2)


def test_a_lunch_break_is_not_business_time() -> None:
    hours = office("UTC", "09:00-12:00", "13:00-17:00")
    morning = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert add_business_time(hours, morning, timedelta(hours=2)) == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_a_clock_started_out_of_hours_starts_at_the_next_opening() -> None:
    hours = office("UTC")
    saturday = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert add_business_time(hours, saturday, timedelta(minutes=30)) == datetime(
        2026, 12, 7, 9, 30, tzinfo=UTC
    )
    assert business_elapsed(hours, saturday, datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == timedelta()


def test_a_night_shift_across_midnight_is_two_contiguous_windows() -> None:
    hours = BusinessHours(
        timezone="UTC", weekly={0: (Window.parse("22:00-24:00"),), 1: (Window.parse("00:00-06:00"),)}
    )
    monday_late = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert add_business_time(hours, monday_late, timedelta(hours=3)) == datetime(
        2026, 12, 1, 2, 0, tzinfo=UTC
    )


def test_elapsed_undoes_add_for_many_starts() -> None:
    hours = office("Europe/London", "08:30-12:00", "13:00-18:15", holidays=(date(2026, 3, 30),))
    start = local(LONDON, 2026, 3, 26, 7, 0)
    for step in range(0, 24 * 6, 5):
        begin = start + timedelta(hours=step)
        for allowed in (timedelta(minutes=1), timedelta(hours=3), timedelta(hours=20)):
            assert business_elapsed(hours, begin, add_business_time(hours, begin, allowed)) == allowed


def test_hours_that_never_open_say_so() -> None:
    with pytest.raises(NoBusinessHoursError, match="no open business hours"):
        add_business_time(BusinessHours(weekly={}), datetime(2026, 12, 1, tzinfo=UTC), timedelta(hours=1))


def test_bad_input_is_refused_with_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="naive"):
        add_business_time(office("UTC"), datetime(2026, 12, 1), timedelta(hours=1))
    with pytest.raises(ValueError, match="'17:00-09:00'"):
        Window.parse("17:00-09:00")
    with pytest.raises(ValueError, match="HH:MM"):
        Window.parse("9-17")
    with pytest.raises(ValueError, match="HH:MM"):
        Window.parse("²9:00-17:00")  # "²".isdigit() is true, yet int("²") fails
    with pytest.raises(ValueError, match="Monday"):
        BusinessHours(weekly={7: ALL_DAY})
    with pytest.raises(Exception, match="Mars/Olympus"):
        BusinessHours(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="negative"):
        add_business_time(office("UTC"), datetime(2026, 12, 1, tzinfo=UTC), timedelta(hours=-1))


def test_windows_print_as_they_are_written() -> None:
    assert str(Window.parse("09:00-24:00")) == "09:00-24:00"
