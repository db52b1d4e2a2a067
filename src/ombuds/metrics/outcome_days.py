"""The outcome rows summed per UTC day (``case_outcome_day``), and the arithmetic on those sums.
Pure: no I/O.

A day row holds, for one day and one group of cases (the whole brand, or one team, agent, channel
or category: its ``dimension``), the counts ``definitions.tally`` adds up of the cases first
resolved that day, the cases opened that day, and each duration as a histogram of its seconds.
The bins are exact below 64 seconds and then 32 to each doubling, so a day's histogram has at
most a few hundred bins however many cases it holds. A percentile's ranks are found in the summed
histograms; the values of the one bin each rank falls in are then read back from the outcome
rows, so the percentile is ``definitions.percentile`` of all the values, not an estimate.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ombuds.clock import as_utc
from ombuds.metrics import definitions as d

#: the groups a day row sums, and the outcome row's column that names each (None: the whole brand)
DIMENSIONS: dict[str, str | None] = {
    "all": None,
    "team": "team_id",
    "agent": "assignee_id",
    "channel": "channel",
    "category": "category",
}
SCOPE_COLUMNS = ("team_id", "assignee_id", "channel", "category")
#: each spread of a Tally, the duration column it is taken of and that column's seconds per unit
SPREADS = {
    "first_response_minutes": ("first_response_seconds", 60),
    "resolution_hours": ("resolution_seconds", 3600),
}
#: the day row's column holding each duration's histogram
HISTOGRAMS = {"first_response_seconds": "first_response_bins", "resolution_seconds": "resolution_bins"}
#: the Tally's counts a day row holds: all but the cases opened in the period, which depends on
#: the period asked (``daily_reads`` finds it from the few resolved cases opened outside it)
DAY_COUNTS = tuple(
    field.name
    for field in dataclasses.fields(d.Tally)
    if field.name not in SPREADS and field.name != "opened_in_period"
)
DAY = timedelta(days=1)
#: significant bits a bin keeps: values below 2**BITS have a bin each, then 2**(BITS-1) a doubling
BITS = 6


def day_of(moment: datetime) -> datetime:
    """The UTC midnight starting the day ``moment`` falls in."""
    return as_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def bin_of(seconds: int) -> int:
    """The lowest value of the bin ``seconds`` falls in."""
    if seconds < 1 << BITS:
        return seconds
    shift = seconds.bit_length() - BITS
    return (seconds >> shift) << shift


def bin_end(low: int) -> int:
    """The first value past the bin starting at ``low`` (a value ``bin_of`` answers)."""
    if low < 1 << BITS:
        return low + 1
    return low + (1 << (low.bit_length() - BITS))


def histogram_text(counts: Mapping[int, int]) -> str:
    """A histogram as a day row stores it: "low:count,..." by bin."""
    return ",".join(f"{low}:{counts[low]}" for low in sorted(counts))


def add_histogram(into: Counter[int], text: str) -> None:
    """Add a stored histogram (``histogram_text``) to ``into``."""
    if text:
        numbers = iter(map(int, text.replace(":", ",").split(",")))
        for low, count in zip(numbers, numbers, strict=True):
            into[low] += count


class StaleRollup(Exception):
    """A bin's values read back from the outcome rows are not as many as the day rows say: the day
    rows were not kept with the outcome rows (a write around their one writer)."""


def spread(histogram: Mapping[int, int], unit: int, nth: Callable[[int, int], int]) -> d.Spread:
    """The median and 90th percentile of the values a histogram counts, in ``unit``s (seconds per
    unit), as ``definitions.Spread.of`` takes them of all the values: ``nth(low, k)`` answers the
    k-th smallest value (from 0) of the bin starting at ``low``."""
    total = sum(histogram.values())
    if not total:
        return d.Spread(None, None)
    bins = sorted(low for low, count in histogram.items() if count)

    def value(rank: int) -> float:
        before = 0
        for low in bins:
            if rank < before + histogram[low]:
                return nth(low, rank - before) / unit
            before += histogram[low]
        raise StaleRollup(f"rank {rank} past the histogram's {total} values")

    def percentile(fraction: float) -> float:
        low, high, weight = d.percentile_ranks(total, fraction)
        lower = value(low)
        upper = lower if high == low else value(high)
        return round(lower + (upper - lower) * weight, d.DURATION_DIGITS)

    return d.Spread(percentile(0.5), percentile(0.9))


@dataclasses.dataclass(slots=True)
class Sums:
    """A group's counts over some days and partial days, and its durations' histograms."""

    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    histograms: dict[str, Counter[int]] = dataclasses.field(
        default_factory=lambda: {column: Counter() for column in HISTOGRAMS}
    )

    def add(self, other: Sums) -> None:
        self.counts.update(other.counts)
        for column, histogram in other.histograms.items():
            self.histograms[column].update(histogram)

    def tally(self, spreads: Mapping[str, d.Spread]) -> d.Tally:
        counts = {name: self.counts[name] for name in (*DAY_COUNTS, "opened_in_period")}
        return d.Tally(**counts, **spreads)  # type: ignore[arg-type]


def holds_from(*, starts_at: datetime, opened_at: datetime) -> datetime:
    """The first midnight an open span holds the debt at (``outcome_reads._open_at``: begun at it,
    and the case opened before it)."""
    return max(_midnight_from(starts_at), day_of(opened_at) + DAY)


def holds_until(ends_at: datetime) -> datetime:
    """The first midnight an open span ending at ``ends_at`` no longer holds the debt at."""
    return _midnight_from(ends_at)


def _midnight_from(moment: datetime) -> datetime:
    """The first midnight at or after ``moment``."""
    day = day_of(moment)
    return day if day == as_utc(moment) else day + DAY


@dataclasses.dataclass(frozen=True, slots=True)
class SpanChange:
    """An open span beginning (+1) or ceasing (-1) to hold the debt at a midnight."""

    day: datetime
    held: Mapping[str, Any]  # the span's team, agent, channel and category
    sign: int
    reach: float
    reach_opened: float


def span_changes(
    spans: Iterable[tuple[Mapping[str, Any], datetime, datetime, datetime, float, float]],
    first: datetime,
    end: datetime,
) -> list[SpanChange]:
    """What the spans (each: its scope, starts_at, opened_at, ends_at, reach, reach × opening)
    change at the midnights in [first, end); a span that holds at no midnight changes none."""
    found = []
    for held, starts_at, opened_at, ends_at, reach, reach_opened in spans:
        begins = holds_from(starts_at=starts_at, opened_at=opened_at)
        ends = holds_until(ends_at)
        if begins >= ends:
            continue
        for day, sign in ((begins, 1), (ends, -1)):
            if first <= day < end:
                found.append(SpanChange(day, held, sign, reach, reach_opened))
    return found


def day_rows(
    brand_id: int,
    resolved: Iterable[tuple[d.ResolvedCase, Mapping[str, Any], datetime]],
    opened: Iterable[Mapping[str, Any]],
    changes: Iterable[SpanChange] = (),
) -> list[dict[str, Any]]:
    """The day rows of some whole days: from the cases first resolved in them (each with its
    team, agent, channel and category, and its opening), the cases opened in them (each with
    those and ``opened_at``; spam and duplicates left out) and what the open spans change at
    their midnights. A group with none of these has no row."""
    resolved_in: dict[tuple[datetime, str, Any], list[tuple[d.ResolvedCase, datetime]]] = {}
    opened_in: Counter[tuple[datetime, str, Any]] = Counter()
    debt: dict[tuple[datetime, str, Any], list[SpanChange]] = {}
    for case, held, opened_at in resolved:
        for key in _keys(day_of(case.resolved_at), held):
            resolved_in.setdefault(key, []).append((case, opened_at))
    for held in opened:
        opened_in.update(_keys(day_of(held["opened_at"]), held))
    for change in changes:
        for key in _keys(change.day, change.held):
            debt.setdefault(key, []).append(change)
    rows = []
    for key in resolved_in.keys() | opened_in.keys() | debt.keys():
        day, dimension, value = key
        cases = [case for case, _ in resolved_in.get(key, [])]
        openings = [as_utc(at) for _, at in resolved_in.get(key, [])]
        counts = d.tally(cases)
        column = DIMENSIONS[dimension]
        rows.append(
            {
                "brand_id": brand_id,
                "day": day,
                "dimension": dimension,
                **{name: value if name == column else None for name in SCOPE_COLUMNS},
                "opened": opened_in[key],
                "debt_spans": sum(change.sign for change in debt.get(key, [])),
                "debt_reach": sum(change.sign * change.reach for change in debt.get(key, [])),
                "debt_reach_opened": sum(change.sign * change.reach_opened for change in debt.get(key, [])),
                **{name: getattr(counts, name) for name in DAY_COUNTS},
                "min_opened_at": min(openings, default=None),
                "max_opened_at": max(openings, default=None),
                **{
                    stored: histogram_text(
                        Counter(
                            bin_of(seconds)
                            for case in cases
                            if (seconds := getattr(case, duration)) is not None
                        )
                    )
                    for duration, stored in HISTOGRAMS.items()
                },
            }
        )
    return sorted(
        rows,
        key=lambda row: (row["day"], row["dimension"], str(row[DIMENSIONS[row["dimension"]] or "brand_id"])),
    )


def _keys(day: datetime, held: Mapping[str, Any]) -> list[tuple[datetime, str, Any]]:
    return [
        (day, dimension, None if column is None else held[column]) for dimension, column in DIMENSIONS.items()
    ]
