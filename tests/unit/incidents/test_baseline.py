"""The baseline learns a stream's daily rhythm, but only as fast as its history allows."""

from __future__ import annotations

import pytest

from ombuds.incidents.detectors.baseline import HourlySeries, fit_level, fit_profile

DAY = 24
# a stream that is busy from 08:00 to 20:00 and nearly silent at night
RHYTHM = [1] * 8 + [12] * 12 + [1] * 4


def _series(days: int, start: int = 1000 * DAY) -> HourlySeries:
    series = HourlySeries()
    for hour in range(start, start + days * DAY):
        series.add(hour, RHYTHM[hour % DAY])
    return series


def test_a_week_of_history_learns_busy_days_and_quiet_nights() -> None:
    start = 1000 * DAY
    profile = fit_profile(_series(7, start), start=start, end=start + 7 * DAY)
    assert profile.hour_factors[12] > 1.5
    assert profile.hour_factors[3] < 0.3


def test_one_day_of_history_learns_a_softer_rhythm_than_a_week() -> None:
    start = 1000 * DAY
    week = fit_profile(_series(7, start), start=start, end=start + 7 * DAY)
    day = fit_profile(_series(1, start), start=start, end=start + DAY)
    assert 1.0 < day.hour_factors[12] < week.hour_factors[12]
    assert week.hour_factors[3] < day.hour_factors[3] < 1.0


def test_less_than_a_day_stays_flat() -> None:
    start = 1000 * DAY
    profile = fit_profile(_series(1, start), start=start, end=start + 12)
    assert profile.hour_factors == [1.0] * 24


def test_the_level_expects_the_stream_s_own_volume_and_is_surer_with_more_days() -> None:
    start = 1000 * DAY
    series = _series(14, start)
    profile = fit_profile(series, start=start, end=start + 14 * DAY)
    level = fit_level(series, profile, start=start, end=start + 14 * DAY, level_days=14)
    noon = (start + 14 * DAY + 12) * 3600.0
    assert level.expected(profile, start_seconds=noon, end_seconds=noon + 3600) == pytest.approx(12, rel=0.25)
    young = fit_level(series, profile, start=start + 13 * DAY, end=start + 14 * DAY, level_days=14)
    assert young.dispersion > level.dispersion


def test_a_thin_key_leans_on_its_prior_rate() -> None:
    series = HourlySeries()
    start = 1000 * DAY
    level = fit_level(
        series,
        fit_profile(series, start=start, end=start),
        start=start,
        end=start + 6,
        level_days=14,
        prior_per_hour=0.5,
    )
    assert level.per_hour == pytest.approx(0.5 * 24 / 30)
