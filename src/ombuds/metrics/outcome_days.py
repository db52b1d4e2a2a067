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


Key = tuple[datetime, str, Any]  # a day row's day, dimension and the value of its column


@dataclasses.dataclass(slots=True)
class _Group:
    """What some cases put in one day row: resolved cases (with their openings), cases opened,
    and the span changes at its midnight."""

    resolved: list[tuple[d.ResolvedCase, datetime]] = dataclasses.field(default_factory=list)
    opened: int = 0
    changes: list[SpanChange] = dataclasses.field(default_factory=list)

    def row(self, brand_id: int, key: Key) -> dict[str, Any]:
        day, dimension, value = key
        cases = [case for case, _ in self.resolved]
        openings = [as_utc(at) for _, at in self.resolved]
        counts = d.tally(cases)
        column = DIMENSIONS[dimension]
        return {
            "brand_id": brand_id,
            "day": day,
            "dimension": dimension,
            **{name: value if name == column else None for name in SCOPE_COLUMNS},
            "opened": self.opened,
            "debt_spans": sum(change.sign for change in self.changes),
            "debt_reach": sum(change.sign * change.reach for change in self.changes),
            "debt_reach_opened": sum(change.sign * change.reach_opened for change in self.changes),
            **{name: getattr(counts, name) for name in DAY_COUNTS},
            "min_opened_at": min(openings, default=None),
            "max_opened_at": max(openings, default=None),
            **{stored: histogram_text(_bins(cases, duration)) for duration, stored in HISTOGRAMS.items()},
        }


def _bins(cases: Iterable[d.ResolvedCase], duration: str) -> Counter[int]:
    return Counter(bin_of(seconds) for case in cases if (seconds := getattr(case, duration)) is not None)


#: what a day row is the sum of: (resolved cases, each with its team, agent, channel and category,
#: and its opening), (cases opened, each with those and ``opened_at``), span changes
Contributions = tuple[
    Iterable[tuple[d.ResolvedCase, Mapping[str, Any], datetime]],
    Iterable[Mapping[str, Any]],
    Iterable["SpanChange"],
]


def _groups(contributions: Contributions) -> dict[Key, _Group]:
    resolved, opened, changes = contributions
    groups: dict[Key, _Group] = {}
    for case, held, opened_at in resolved:
        for key in _keys(day_of(case.resolved_at), held):
            groups.setdefault(key, _Group()).resolved.append((case, opened_at))
    for held in opened:
        for key in _keys(day_of(held["opened_at"]), held):
            groups.setdefault(key, _Group()).opened += 1
    for change in changes:
        for key in _keys(change.day, change.held):
            groups.setdefault(key, _Group()).changes.append(change)
    return groups


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
    rows = [group.row(brand_id, key) for key, group in _groups((resolved, opened, changes)).items()]
    return sorted(
        rows,
        key=lambda row: (row["day"], row["dimension"], str(row[DIMENSIONS[row["dimension"]] or "brand_id"])),
    )


def key_of(row: Mapping[str, Any]) -> Key:
    """The day, dimension and group value of a day row."""
    column = DIMENSIONS[row["dimension"]]
    return (as_utc(row["day"]), row["dimension"], None if column is None else row[column])


#: a day row's numbers that add up case by case (the debt's two sums are floats)
ADDED = ("opened", "debt_spans", *DAY_COUNTS, "debt_reach", "debt_reach_opened")


@dataclasses.dataclass(frozen=True, slots=True)
class DayDelta:
    """How some cases' rewrite changes one day row: what its numbers and histogram bins gain (or
    lose, negative), and the openings of resolved cases it gains and loses."""

    added: Mapping[str, float]
    bins: Mapping[str, Mapping[int, int]]
    openings_in: tuple[datetime, ...]
    openings_out: tuple[datetime, ...]


def day_deltas(before: Contributions, after: Contributions) -> dict[Key, DayDelta]:
    """What rewriting some cases (their rows and spans ``before``, as stored, and ``after``)
    changes in each day row; the day rows are sums over cases, so this is their new sums less
    their old ones. Groups the rewrite leaves as they were are left out."""
    old, new = _groups(before), _groups(after)
    found: dict[Key, DayDelta] = {}
    for key in old.keys() | new.keys():
        was, now = old.get(key, _Group()), new.get(key, _Group())
        was_row, now_row = was.row(0, key), now.row(0, key)
        added = {name: now_row[name] - was_row[name] for name in ADDED}
        bins: dict[str, dict[int, int]] = {}
        for duration, stored in HISTOGRAMS.items():
            change = _bins((case for case, _ in now.resolved), duration)
            change.subtract(_bins((case for case, _ in was.resolved), duration))
            bins[stored] = {low: count for low, count in change.items() if count}
        openings = Counter(as_utc(at) for _, at in now.resolved)
        openings.subtract(as_utc(at) for _, at in was.resolved)
        delta = DayDelta(
            added=added,
            bins=bins,
            openings_in=tuple(sorted(at for at, n in openings.items() for _ in range(max(n, 0)))),
            openings_out=tuple(sorted(at for at, n in openings.items() for _ in range(max(-n, 0)))),
        )
        if any(added.values()) or any(bins.values()) or delta.openings_in or delta.openings_out:
            found[key] = delta
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class Merged:
    """A stored day row with a delta added: its new values, and what of them must be read again
    from the outcome rows and spans: ``bounds``, the earliest and latest opening (a case holding
    one of them left); ``debt``, the debt's sums, where no count is left (spans may still begin
    and end at its midnight, adding up to nothing; if none do, the row goes, as a rebuild has
    none)."""

    row: dict[str, Any]
    bounds: bool = False
    debt: bool = False


def merged(brand_id: int, key: Key, stored: Mapping[str, Any] | None, delta: DayDelta) -> Merged:
    """``stored`` (a day row, None: none yet) with ``delta`` added."""
    row = dict(stored) if stored is not None else _Group().row(brand_id, key)
    for name, change in delta.added.items():
        row[name] += change
    for stored_column, bins in delta.bins.items():
        histogram: Counter[int] = Counter()
        add_histogram(histogram, row[stored_column])
        histogram.update(bins)
        row[stored_column] = histogram_text({low: n for low, n in histogram.items() if n > 0})
    bounds = False
    low, high = row["min_opened_at"], row["max_opened_at"]
    low, high = (None if low is None else as_utc(low)), (None if high is None else as_utc(high))
    if row["resolved"] <= 0:
        low = high = None
    elif low is None or high is None or low in delta.openings_out or high in delta.openings_out:
        bounds = True  # left as they are until read again
    else:
        low, high = min((low, *delta.openings_in)), max((high, *delta.openings_in))
    row["min_opened_at"], row["max_opened_at"] = low, high
    if not (row["resolved"] or row["opened"] or row["debt_spans"]):
        return Merged(row, bounds=False, debt=True)
    return Merged(row, bounds=bounds)


def _keys(day: datetime, held: Mapping[str, Any]) -> list[tuple[datetime, str, Any]]:
    return [
        (day, dimension, None if column is None else held[column]) for dimension, column in DIMENSIONS.items()
    ]


VoiceKey = tuple[datetime, str, Any, str]  # a voice day row's day, dimension, group value, category


def voice_deltas(
    before: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
    after: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
) -> dict[VoiceKey, tuple[int, int]]:
    """What rewriting some voice rows changes in the voice day rows: each row (``created_at``,
    ``category``, ``is_negative``) with its case's team, agent, channel and category (None: no
    case row, so it counts for the whole brand alone), as stored ``before`` and ``after``; the
    messages and negative ones each group gains (or loses, negative). Unchanged groups left out."""
    counted: dict[VoiceKey, list[int]] = {}
    for sign, rows in ((-1, before), (1, after)):
        for voice, held in rows:
            day = day_of(voice["created_at"])
            for dimension, column in DIMENSIONS.items():
                if column is not None and held is None:
                    continue
                value = None if column is None else held[column]  # type: ignore[index]
                found = counted.setdefault((day, dimension, value, voice["category"]), [0, 0])
                found[0] += sign
                found[1] += sign * bool(voice["is_negative"])
    return {key: (messages, bad) for key, (messages, bad) in counted.items() if messages or bad}
