"""How a moment reads on a page: on the brand's clock, in one form, with the zone it was read in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ombuds.timezones import day_label, local_day, moment_label


def test_a_moment_reads_on_the_brand_s_clock_with_its_zone_summer_or_winter() -> None:
    assert moment_label(datetime(2026, 12, 3, 14, 21, tzinfo=UTC), timezone="America/New_York") == (
        "Thu 03 Dec 2026 09:21 EST"
    )
    assert moment_label(datetime(2026, 7, 3, 14, 21, tzinfo=UTC), timezone="America/New_York") == (
        "Fri 03 Jul 2026 10:21 EDT"
    )
    assert (
        moment_label(datetime(2026, 12, 3, 14, 21, tzinfo=UTC), timezone="UTC") == "Thu 03 Dec 2026 14:21 UTC"
    )


def test_a_moment_as_sqlite_returns_it_without_a_zone_is_utc() -> None:
    assert (
        moment_label(datetime(2026, 12, 3, 14, 21), timezone="Europe/Berlin") == "Thu 03 Dec 2026 15:21 CET"
    )


def test_the_day_is_the_brand_s_day_and_a_date_stays_as_it_is() -> None:
    end_of_the_4th_in_sydney = datetime(2026, 12, 4, 12, 59, 59, tzinfo=UTC)
    assert day_label(end_of_the_4th_in_sydney, timezone="Australia/Sydney") == "Fri 04 Dec 2026"
    assert (
        day_label(datetime(2026, 12, 4, 13, 0, tzinfo=UTC), timezone="Australia/Sydney") == "Sat 05 Dec 2026"
    )
    assert local_day(datetime(2026, 12, 4, 13, 0, tzinfo=UTC), timezone="Australia/Sydney") == date(
        2026, 12, 5
    )
    assert day_label(date(2026, 12, 4), timezone="Australia/Sydney") == "Fri 04 Dec 2026"
