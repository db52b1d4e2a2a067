"""The day rows' arithmetic (metrics/outcome_days.py): a percentile found through a histogram and
one bin's values is the percentile of all the values, and a span's first and last midnight say
exactly which midnights it holds the debt at."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ombuds.metrics import definitions as d
from ombuds.metrics import outcome_days as od


def test_every_value_falls_in_its_bin_and_the_bins_tile_the_numbers() -> None:
    low = 0
    while low < 5_000_000:
        end = od.bin_end(low)
        assert end > low
        assert od.bin_of(low) == low
        assert od.bin_of(end - 1) == low
        low = end
    rng = random.Random(3)
    for value in [rng.randrange(0, 2_000_000) for _ in range(2_000)]:
        assert od.bin_of(value) <= value < od.bin_end(od.bin_of(value))


@pytest.mark.parametrize("seed", range(6))
def test_a_percentile_through_the_histogram_is_the_percentile_of_all_the_values(seed: int) -> None:
    rng = random.Random(seed)
    # ties and a long tail, as business seconds have
    values = [
        rng.choice((0, 60, 300, 300, rng.randrange(0, 400_000), int(rng.paretovariate(1.1) * 600)))
        for _ in range(rng.randint(1, 400))
    ]
    histogram = Counter(od.bin_of(value) for value in values)
    stored = Counter[int]()
    od.add_histogram(stored, od.histogram_text(histogram))
    assert stored == histogram
    read: list[int] = []

    def nth(low: int, k: int) -> int:
        read.append(low)
        return sorted(value for value in values if od.bin_of(value) == low)[k]

    for unit in (60, 3600):
        assert od.spread(stored, unit, nth) == d.Spread.of([value / unit for value in values])
    assert od.spread(Counter(), 60, nth) == d.Spread(None, None)


def test_a_span_holds_the_debt_at_exactly_the_midnights_from_its_first_to_before_its_last() -> None:
    rng = random.Random(8)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    midnights = [base + timedelta(days=n) for n in range(-2, 12)]
    for _ in range(500):
        opened = base + timedelta(hours=rng.choice((0, 24, rng.randrange(0, 200))))
        starts = opened + timedelta(hours=rng.choice((-3, 0, 0, 24, rng.randrange(0, 100))))
        ends = starts + timedelta(hours=rng.choice((1, 24, rng.randrange(1, 150))))
        begins, stops = od.holds_from(starts_at=starts, opened_at=opened), od.holds_until(ends)
        for moment in midnights:
            holds = starts <= moment and opened < moment and ends > moment  # outcome_reads._open_at
            assert holds == (begins <= moment < stops), (opened, starts, ends, moment)
