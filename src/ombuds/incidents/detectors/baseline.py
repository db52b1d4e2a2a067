"""Seasonal baselines: how many mentions a key usually gets at this hour of this weekday.

Counts are kept per hour for four weeks. The expected rate of a key at an hour is its level
(a mean over the last ``level_days``, with the season divided out) times an hour-of-day and a
day-of-week factor. Both factors are learned from the brand's whole stream and shrunk towards
a flat profile by how many days of history back them, so a young stream starts flat and earns
its daily rhythm. A young baseline is also less certain, so its expectation is inflated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

HOUR_SECONDS = 3600
KEPT_HOURS = 28 * 24
DAY_CV = 0.25  # how far a level learned from one day may be off
INTRINSIC_CV = 0.15  # how much a stream's true rate swings from one day to the next


def storm_ceiling(expected: float) -> float:
    """The most an hour expected to hold ``expected`` counts towards what is normal: a storm
    does not become tomorrow's normal."""
    return max(3.0 * expected, expected + 4.0 * math.sqrt(expected) + 3.0)


def day_of_week(hour: int) -> int:
    """Monday is 0; hour 0 is 1970-01-01T00:00Z, a Thursday."""
    return (hour // 24 + 3) % 7


class HourlySeries:
    """Counts per hour for one key over the last four weeks, in a ring."""

    __slots__ = ("counts", "newest")

    def __init__(self, counts: list[float] | None = None, newest: int | None = None) -> None:
        self.counts = counts if counts is not None else [0.0] * KEPT_HOURS
        self.newest = newest

    def value(self, hour: int) -> float:
        if self.newest is None or hour > self.newest or hour <= self.newest - KEPT_HOURS:
            return 0.0
        return self.counts[hour % KEPT_HOURS]

    def advance(self, hour: int) -> None:
        """Make ``hour`` the newest slot, clearing the slots of the hours in between."""
        if self.newest is None:
            self.newest = hour
            return
        if hour <= self.newest:
            return
        for skipped in range(self.newest + 1, min(hour, self.newest + KEPT_HOURS) + 1):
            self.counts[skipped % KEPT_HOURS] = 0.0
        if hour - self.newest > KEPT_HOURS:
            self.counts = [0.0] * KEPT_HOURS
        self.newest = hour

    def add(self, hour: int, amount: float = 1.0) -> None:
        self.advance(hour)
        assert self.newest is not None
        if hour > self.newest - KEPT_HOURS:
            self.counts[hour % KEPT_HOURS] += amount

    def cap(self, hour: int, ceiling: float) -> None:
        """Winsorize a closed hour so a storm does not become tomorrow's normal."""
        if self.value(hour) > ceiling:
            self.counts[hour % KEPT_HOURS] = ceiling

    def capped_total(self, start: int, end: int, ceiling: float) -> float:
        """Sum of the hours [start, end) still kept, each counted at most ``ceiling``."""
        return sum(min(self.value(hour), ceiling) for hour in range(start, end))

    def total(self, start: int, end: int) -> float:
        """Sum of the hours [start, end) still kept, by slices of the ring (no per-hour calls)."""
        if self.newest is None:
            return 0.0
        start, end = max(start, self.newest - KEPT_HOURS + 1), min(end, self.newest + 1)
        if end <= start:
            return 0.0
        first, last = start % KEPT_HOURS, end % KEPT_HOURS
        if first < last:
            return sum(self.counts[first:last])
        return sum(self.counts[first:]) + sum(self.counts[:last])


@dataclass
class Profile:
    """Multiplicative hour-of-day and day-of-week factors, each averaging 1."""

    hour_factors: list[float] = field(default_factory=lambda: [1.0] * 24)
    day_factors: list[float] = field(default_factory=lambda: [1.0] * 7)

    def factor(self, hour: int) -> float:
        return self.hour_factors[hour % 24] * self.day_factors[day_of_week(hour)]


def _shrunk_ratios(
    sums: list[float], seen: list[float], mean: float, *, pseudo_count: float, prior_days: float
) -> list[float]:
    ratios = []
    for total, days in zip(sums, seen, strict=True):
        if days <= 0 or mean <= 0:
            ratios.append(1.0)
            continue
        raw = (total + pseudo_count) / (days * mean + pseudo_count)
        weight = days / (days + prior_days)
        ratios.append(weight * raw + (1.0 - weight))
    average = sum(ratios) / len(ratios)
    return [ratio / average for ratio in ratios]


def fit_profile(series: HourlySeries, *, start: int, end: int) -> Profile:
    """Learn the daily and weekly rhythm from hours [start, end), shrunk towards flat."""
    start = max(start, end - KEPT_HOURS)
    if end - start < 24:
        return Profile()
    by_hour = [0.0] * 24
    hours_seen = [0.0] * 24
    by_day = [0.0] * 7
    days_seen = [0.0] * 7
    for hour in range(start, end):
        value = series.value(hour)
        by_hour[hour % 24] += value
        hours_seen[hour % 24] += 1
        by_day[day_of_week(hour)] += value
        days_seen[day_of_week(hour)] += 1 / 24
    # neighbouring hours share strength: a circular [1/4, 1/2, 1/4] smoothing
    smooth = [0.25 * by_hour[h - 1] + 0.5 * by_hour[h] + 0.25 * by_hour[(h + 1) % 24] for h in range(24)]
    smooth_seen = [
        0.25 * hours_seen[h - 1] + 0.5 * hours_seen[h] + 0.25 * hours_seen[(h + 1) % 24] for h in range(24)
    ]
    total_hours = sum(hours_seen)
    mean_hour = sum(by_hour) / total_hours if total_hours else 0.0
    hour_factors = _shrunk_ratios(smooth, smooth_seen, mean_hour, pseudo_count=1.0, prior_days=0.5)
    # the day factors compare each weekday with the mean day, after the hour rhythm
    mean_day = mean_hour * 24
    day_factors = _shrunk_ratios(by_day, days_seen, mean_day, pseudo_count=10.0, prior_days=2.0)
    return Profile(hour_factors=hour_factors, day_factors=day_factors)


@dataclass(frozen=True, slots=True)
class Level:
    """A key's deseasonalised hourly rate and how far to trust it."""

    per_hour: float
    dispersion: float  # squared coefficient of variation of the true rate around this level
    history_hours: int

    def expected(self, profile: Profile, *, start_seconds: float, end_seconds: float) -> float:
        """Mentions expected between two instants (seconds since the epoch)."""
        if end_seconds <= start_seconds:
            return 0.0
        total = 0.0
        cursor = start_seconds
        while cursor < end_seconds:
            hour = int(cursor // HOUR_SECONDS)
            hour_end = min(end_seconds, (hour + 1) * HOUR_SECONDS)
            total += profile.factor(hour) * (hour_end - cursor) / HOUR_SECONDS
            cursor = hour_end
        return self.per_hour * total


def exposure_of(profile: Profile, start: int, end: int) -> float:
    """Sum of the profile's factors over the hours [start, end): the level's denominator."""
    return sum(profile.factor(hour) for hour in range(start, end))


def fit_level(
    series: HourlySeries,
    profile: Profile,
    *,
    start: int,
    end: int,
    level_days: float,
    prior_per_hour: float | None = None,
    prior_hours: float = 24.0,
    exposure_cache: Callable[[int, int], float] | None = None,
) -> Level:
    """The level over [start, end), optionally pulled towards a prior rate (thin keys).

    ``exposure_cache`` may be a cached ``exposure_of`` for this profile: many keys share one range.
    """
    lo = max(start, end - int(level_days * 24), end - KEPT_HOURS)
    hours = max(0, end - lo)
    observed = series.total(lo, end)
    exposure = exposure_cache(lo, end) if exposure_cache is not None else exposure_of(profile, lo, end)
    if prior_per_hour is not None:
        per_hour = (observed + prior_per_hour * prior_hours) / (exposure + prior_hours)
    else:
        per_hour = observed / exposure if exposure > 0 else 0.0
    days = max(hours / 24.0, 0.25)
    # the stream's own swing, plus how unsure a short or thin history leaves the level
    dispersion = INTRINSIC_CV**2 + DAY_CV**2 / days + 1.0 / max(1.0, observed)
    return Level(per_hour=per_hour, dispersion=dispersion, history_hours=hours)
