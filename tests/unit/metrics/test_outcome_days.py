"""The day rows' arithmetic (metrics/outcome_days.py): a percentile found through a histogram and
one bin's values is the percentile of all the values, and a span's first and last midnight say
exactly which midnights it holds the debt at."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ombuds.metrics import definitions as d
from ombuds.metrics import outcome_days as od
from ombuds.metrics.outcome_models import STILL_OPEN


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


def _random_case(rng: random.Random, base: datetime) -> tuple[list[Any], list[Any], list[od.SpanChange]]:
    """One case's share of the day rows: maybe resolved, maybe opened (not junk), maybe spans."""
    held = {
        "team_id": rng.choice((None, 1, 2)),
        "assignee_id": rng.choice((None, 5)),
        "channel": rng.choice(("x", "email")),
        "category": rng.choice((None, "refund")),
    }
    opened = base + timedelta(hours=rng.randrange(0, 96))
    resolved = []
    if rng.random() < 0.7:
        case = d.ResolvedCase(
            case_id=0,
            resolved_at=opened + timedelta(hours=rng.randrange(0, 50)),
            opened_in_period=False,
            reopened_within_window=rng.random() < 0.3,
            first_contact_resolution=rng.choice((None, True, False)),
            handoffs=rng.choice((0, 1, 2)),
            first_response_seconds=rng.choice((None, 60, 300, rng.randrange(0, 90_000))),
            resolution_seconds=rng.choice((None, 3600, rng.randrange(0, 400_000))),
            met_sla=rng.choice((None, True, False)),
            survey_sent=rng.random() < 0.5,
            survey_score=rng.choice((None, 1, 5)),
            experience=rng.choice((None, *d.Experience)),
        )
        resolved.append((case, held, opened))
    spans = []
    if rng.random() < 0.5:
        reach = rng.choice((1.0, 2.5, 4.7))
        ends = opened + timedelta(hours=rng.randrange(1, 80))
        spans.append(
            (held, opened, opened, rng.choice((ends, STILL_OPEN)), reach, reach * opened.timestamp())
        )
    changes = od.span_changes(spans, datetime(1, 1, 2, tzinfo=UTC), STILL_OPEN)
    return resolved, [{**held, "opened_at": opened}] if rng.random() < 0.9 else [], changes


def _summed(cases: list[tuple[list[Any], list[Any], list[od.SpanChange]]]) -> dict[Any, dict[str, Any]]:
    contributions = (
        [item for case in cases for item in case[0]],
        [item for case in cases for item in case[1]],
        [item for case in cases for item in case[2]],
    )
    return {od.key_of(row): row for row in od.day_rows(7, *contributions)}


@pytest.mark.parametrize("seed", range(8))
def test_a_day_row_with_a_rewrites_delta_added_is_the_row_summed_again(seed: int) -> None:
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    cases = [_random_case(rng, base) for _ in range(60)]
    stored = _summed(cases)
    # eight cases rewritten, the first of them deleted
    rewritten = rng.sample(range(len(cases)), 8)
    after = {n: None if n == rewritten[0] else _random_case(rng, base) for n in rewritten}
    new = [after.get(n, case) for n, case in enumerate(cases)]
    new_cases = [case for case in new if case is not None]

    def of(chosen: list[Any]) -> od.Contributions:
        return tuple([item for case in chosen for item in case[part]] for part in range(3))  # type: ignore[return-value]

    deltas = od.day_deltas(
        of([cases[n] for n in rewritten]), of([case for case in after.values() if case is not None])
    )
    expected = _summed(new_cases)
    for key in stored.keys() | expected.keys():
        if key not in deltas:
            assert stored.get(key) == expected.get(key), key
            continue
        merged = od.merged(7, key, stored.get(key), deltas[key])
        if merged.debt:  # no count left: the debt is read again from the spans; the row goes if none
            assert key not in expected or not (expected[key]["opened"] or expected[key]["resolved"])
            continue
        want = expected[key]
        assert merged.row["min_opened_at"] is not None or merged.bounds or want["min_opened_at"] is None
        for name, value in want.items():
            if name in ("min_opened_at", "max_opened_at") and merged.bounds:
                continue  # read again from the outcome rows
            if isinstance(value, float):
                assert math.isclose(merged.row[name], value, rel_tol=1e-12, abs_tol=1e-6), (key, name)
            else:
                assert merged.row[name] == value, (key, name)
