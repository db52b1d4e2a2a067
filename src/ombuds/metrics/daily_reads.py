"""The resolved cases' tallies summed from the day rows (``case_outcome_day``): a year's figures
add up a few hundred rows instead of reading every outcome row of the year.

Read-only. The whole UTC days inside each cut come from the day rows; a cut's partial days at
either end are read from the outcome rows (``outcome_reads.cut_reads``). Three things a day row
cannot say are read from the outcome rows too, each a short indexed read: which resolved cases
were opened outside the period asked (bounded by the earliest and latest opening the day rows
keep), and for each percentile the values of the one histogram bin its rank falls in. So every
figure is the one the outcome rows give (``tests/integration/test_metrics_reads_agree.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, literal, select
from sqlalchemy.orm import Session

from ombuds.clock import as_utc
from ombuds.metrics import definitions as d
from ombuds.metrics import outcome_days as od
from ombuds.metrics import outcome_reads
from ombuds.metrics.outcome_models import CaseOutcome, CaseOutcomeDay
from ombuds.metrics.outcome_reads import (
    TALLY_COUNTS,
    count_opened,
    cut_reads,
    grouped_tallies_of_rows,
    opened_per_group,
    outcome_conditions,
)

if TYPE_CHECKING:
    from ombuds.metrics.queries import Scope

#: a scope's filters: the day rows' dimension each one is, and the scope's field holding it
_FILTERS = (("team", "team_id"), ("agent", "agent_id"), ("channel", "channel"), ("category", "category"))
_DIMENSION_OF = {column: dimension for dimension, column in od.DIMENSIONS.items() if column is not None}
_ANY = object()  # a fetch not narrowed to one group


def dimension(scope: Scope, key: Any) -> tuple[str, Any] | None:
    """The day rows that hold the scope's cases grouped by ``key`` (a column of the outcome row, or
    None), and the value their column must have (``_ANY``: every row of the dimension); None when
    no day row does (two filters, or a filter and a grouping by another column)."""
    filters = [(name, getattr(scope, field)) for name, field in _FILTERS if getattr(scope, field) is not None]
    grouped = None if key is None else _DIMENSION_OF[key.name]
    if not filters:
        return ("all", _ANY) if grouped is None else (grouped, _ANY)
    if len(filters) == 1 and grouped in (None, filters[0][0]):
        return filters[0]
    return None


def _split(
    start: datetime, end: datetime
) -> tuple[tuple[datetime, datetime] | None, list[tuple[datetime, datetime]]]:
    """[start, end) as its whole days (None: none) and the partial days left at either end."""
    first = od.day_of(start)
    if first < start:
        first += od.DAY
    last = od.day_of(end)
    if first >= last:
        return None, [(start, end)]
    edges = [piece for piece in ((start, first), (last, end)) if piece[0] < piece[1]]
    return (first, last), edges


Tallies = tuple[d.Tally, list[d.Tally], dict[d.GroupKey, d.Tally]]


def grouped_tallies(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]], key: Any
) -> Tallies:
    """The tally of the cases first resolved in the period, of those in each cut (the cuts tile
    the period), and with a ``key`` (a column of the outcome row: team, agent, channel, category)
    per value of it: from the day rows where they hold the scope and the grouping, else from the
    outcome rows (``outcome_reads.grouped_tallies_of_rows``), the same figures either way."""
    try:
        found = from_days(session, scope, cuts, key)
    except od.StaleRollup:
        found = None  # the day rows were not kept: the outcome rows alone still answer
    return found if found is not None else grouped_tallies_of_rows(session, scope, cuts, key)


def tallies(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]]
) -> tuple[d.Tally, list[d.Tally]]:
    whole, per_cut, _ = grouped_tallies(session, scope, cuts, None)
    return whole, per_cut


def group_tallies(session: Session, scope: Scope, key: Any) -> dict[d.GroupKey, d.Tally]:
    """The period's tally per value of ``key`` (a column of the outcome row)."""
    return grouped_tallies(session, scope, [(scope.start, scope.end)], key)[2]


def from_days(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]], key: Any
) -> Tallies | None:
    """``grouped_tallies`` from the day rows; None when no day row holds the scope and the
    grouping. Raises ``StaleRollup`` when the day rows disagree with the outcome rows."""
    held = dimension(scope, key)
    if held is None:
        return None
    name, value = held
    column = od.DIMENSIONS[name]
    pieces = [_split(start, end) for start, end in cuts]
    whole_days = [inner for inner, _ in pieces if inner is not None]
    rows = _day_rows(session, scope.brand_id, name, column, value, whole_days)
    edges = [edge for _, found in pieces for edge in found]
    edge_reads = iter(cut_reads(session, scope, edges, key)) if edges else iter(())

    per_cut: list[dict[d.GroupKey, od.Sums]] = []
    lowest: datetime | None = None
    highest: datetime | None = None
    at = 0
    for inner, found in pieces:
        groups: dict[d.GroupKey, od.Sums] = {}
        if inner is not None:
            while at < len(rows) and rows[at][0] < inner[0]:
                at += 1
            while at < len(rows) and rows[at][0] < inner[1]:
                _, group, counts, opened, histograms = rows[at]
                _add_day(groups.setdefault(None if key is None else group, od.Sums()), counts, histograms)
                for moment in opened:
                    lowest = moment if lowest is None or moment < lowest else lowest
                    highest = moment if highest is None or moment > highest else highest
                at += 1
        for _ in found:
            for group, read in next(edge_reads).items():
                groups.setdefault(group, od.Sums()).add(_edge_sums(read))
        per_cut.append(groups)
    _take_opened_outside(session, scope, key, pieces, per_cut, lowest, highest)

    fetch = _Values(session, scope, key)
    per_cut_tallies = []
    whole = od.Sums()
    by_group: dict[d.GroupKey, od.Sums] = {}
    for (start, end), groups in zip(cuts, per_cut, strict=True):
        cut = od.Sums()
        for group, sums in groups.items():
            cut.add(sums)
            by_group.setdefault(group, od.Sums()).add(sums)
        whole.add(cut)
        per_cut_tallies.append(cut.tally(fetch.spreads(cut, start, end, _ANY)))
    per_group = (
        {
            group: sums.tally(fetch.spreads(sums, scope.start, scope.end, group))
            for group, sums in by_group.items()
            if sums.counts["resolved"]
        }
        if key is not None
        else {}
    )
    if len(cuts) == 1:
        return per_cut_tallies[0], per_cut_tallies, per_group
    return whole.tally(fetch.spreads(whole, scope.start, scope.end, _ANY)), per_cut_tallies, per_group


def opened_counts(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]], key: Any
) -> list[dict[d.GroupKey, int]]:
    """The cases opened in each cut (spam and duplicates left out), per value of ``key`` (one
    group, None, without a key): whole days from the day rows where they hold the scope and the
    grouping, the rest counted on the (brand, opened) index."""
    held = dimension(scope, key)
    if held is None:
        return [_opened_of_rows(session, scope, start, end, key) for start, end in cuts]
    name, value = held
    column = od.DIMENSIONS[name]
    pieces = [_split(start, end) for start, end in cuts]
    whole_days = [inner for inner, _ in pieces if inner is not None]
    group = CaseOutcomeDay.__table__.c[column] if column is not None else None
    rows: list[tuple[datetime, Any, int]] = []
    if whole_days:
        query = select(
            CaseOutcomeDay.day, group if group is not None else literal(None), CaseOutcomeDay.opened
        ).where(
            CaseOutcomeDay.brand_id == scope.brand_id,
            CaseOutcomeDay.dimension == name,
            CaseOutcomeDay.day >= whole_days[0][0],
            CaseOutcomeDay.day < whole_days[-1][1],
            CaseOutcomeDay.opened > 0,
        )
        if value is not _ANY and group is not None:
            query = query.where(group == value)
        rows = [(as_utc(day), found, opened) for day, found, opened in session.execute(query)]
    counted = []
    for inner, edges in pieces:
        groups: dict[d.GroupKey, int] = {}
        if inner is not None:
            for day, found, opened in rows:
                if inner[0] <= day < inner[1]:
                    mine = None if key is None else found
                    groups[mine] = groups.get(mine, 0) + opened
        for start, end in edges:
            for mine, opened in _opened_of_rows(session, scope, start, end, key).items():
                groups[mine] = groups.get(mine, 0) + opened
        counted.append(groups)
    return counted


def _opened_of_rows(
    session: Session, scope: Scope, start: datetime, end: datetime, key: Any
) -> dict[d.GroupKey, int]:
    within = replace(scope, start=start, end=end)
    if key is None:
        opened = count_opened(session, within)
        return {None: opened} if opened else {}
    return opened_per_group(session, within, key)


def opened_per_cut(session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """The cases opened in each cut of the period (spam and duplicates left out)."""
    return [sum(groups.values()) for groups in opened_counts(session, scope, cuts, None)]


def opened_in(session: Session, scope: Scope) -> int:
    """The cases opened in the period (spam and duplicates left out)."""
    return opened_per_cut(session, scope, [(scope.start, scope.end)])[0]


def opened_by_group(session: Session, scope: Scope, key: Any) -> dict[d.GroupKey, int]:
    """The cases opened in the period per value of ``key`` (a column of the outcome row)."""
    return opened_counts(session, scope, [(scope.start, scope.end)], key)[0]


def debt_totals(session: Session, scope: Scope, moments: Sequence[datetime]) -> dict[datetime, float]:
    """The summed weight of the debt at each moment (``outcome_reads.debt_totals``): at a (UTC)
    midnight from the day rows when they hold the scope, at other moments (now, a brand's own
    midnight) from the open spans."""
    midnights = [moment for moment in moments if od.day_of(moment) == moment]
    found = (debt_from_days(session, scope, midnights) if midnights else None) or {}
    rest = [moment for moment in moments if moment not in found]
    if rest:
        found |= outcome_reads.debt_totals(session, scope, rest)
    return {moment: found[moment] for moment in moments}


def debt_from_days(
    session: Session, scope: Scope, moments: Sequence[datetime]
) -> dict[datetime, float] | None:
    """The debt at each midnight: what every day up to it added and took away, summed (the spans
    holding it, their reach and reach × opening); None when a moment is not a midnight or no day
    row holds the scope."""
    held = dimension(scope, None)
    if held is None or not moments or any(od.day_of(moment) != moment for moment in moments):
        return None
    name, value = held
    column = od.DIMENSIONS[name]
    query = select(
        CaseOutcomeDay.day,
        CaseOutcomeDay.debt_spans,
        CaseOutcomeDay.debt_reach,
        CaseOutcomeDay.debt_reach_opened,
    ).where(
        CaseOutcomeDay.brand_id == scope.brand_id,
        CaseOutcomeDay.dimension == name,
        CaseOutcomeDay.day <= max(moments),
    )
    if value is not _ANY and column is not None:
        query = query.where(CaseOutcomeDay.__table__.c[column] == value)
    changes = [
        (as_utc(day), spans, reach, reach_opened)
        for day, spans, reach, reach_opened in session.execute(query)
    ]
    found = {}
    for moment in set(moments):
        upto = [change for change in changes if change[0] <= moment]
        spans = sum(change[1] for change in upto)
        # no span held: nothing, not what is left of adding and taking away the same sums
        found[moment] = (
            d.debt_total(
                reach_sum=math.fsum(change[2] for change in upto),
                reach_opened_sum=math.fsum(change[3] for change in upto),
                at=moment,
            )
            if spans
            else 0.0
        )
    return {moment: found[moment] for moment in moments}


def _day_rows(
    session: Session,
    brand_id: int,
    name: str,
    column: str | None,
    value: Any,
    days: list[tuple[datetime, datetime]],
) -> list[tuple[datetime, Any, Sequence[int], list[datetime], Sequence[str]]]:
    """The day rows of these whole days, by day: each one's day, group value, counts
    (``DAY_COUNTS``), its resolved cases' earliest and latest opening, and its histograms."""
    if not days:
        return []
    group = CaseOutcomeDay.__table__.c[column] if column is not None else None
    query = select(
        CaseOutcomeDay.day,
        *((group,) if group is not None else ()),
        *(getattr(CaseOutcomeDay, count) for count in od.DAY_COUNTS),
        CaseOutcomeDay.min_opened_at,
        CaseOutcomeDay.max_opened_at,
        *(getattr(CaseOutcomeDay, stored) for stored in od.HISTOGRAMS.values()),
    ).where(
        CaseOutcomeDay.brand_id == brand_id,
        CaseOutcomeDay.dimension == name,
        CaseOutcomeDay.day >= days[0][0],
        CaseOutcomeDay.day < days[-1][1],
    )
    if value is not _ANY and group is not None:
        query = query.where(group == value)
    found: list[tuple[datetime, Any, Sequence[int], list[datetime], Sequence[str]]] = []
    sized = len(od.DAY_COUNTS)
    for row in session.execute(query.order_by(CaseOutcomeDay.day)):
        day, rest = row[0], row[1:]
        key = None
        if group is not None:
            key, rest = rest[0], rest[1:]
        opened = [as_utc(at) for at in rest[sized : sized + 2] if at is not None]
        found.append((as_utc(day), key, rest[:sized], opened, rest[sized + 2 :]))
    return found


def _add_day(sums: od.Sums, counts: Sequence[int], histograms: Sequence[str]) -> None:
    """A day row's counts (the cases opened in the period counted as all its resolved ones, until
    ``_take_opened_outside``) and histograms added to a group's sums."""
    for name, count in zip(od.DAY_COUNTS, counts, strict=True):
        sums.counts[name] += count
    sums.counts["opened_in_period"] += counts[0]
    for column, text in zip(od.HISTOGRAMS, histograms, strict=True):
        od.add_histogram(sums.histograms[column], text)


def _edge_sums(read: Sequence[Any]) -> od.Sums:
    """A row of ``outcome_reads._tally_columns`` (a partial day's cases) as sums."""
    sums = od.Sums()
    sized = len(TALLY_COUNTS)
    sums.counts.update(
        {name: int(count or 0) for name, count in zip(TALLY_COUNTS, read[:sized], strict=True)}
    )
    for stored_column, text in zip(od.HISTOGRAMS, read[sized:], strict=True):
        if text:
            sums.histograms[stored_column].update(od.bin_of(int(seconds)) for seconds in text.split(","))
    return sums


def _take_opened_outside(
    session: Session,
    scope: Scope,
    key: Any,
    pieces: list[tuple[tuple[datetime, datetime] | None, list[tuple[datetime, datetime]]]],
    per_cut: list[dict[d.GroupKey, od.Sums]],
    lowest: datetime | None,
    highest: datetime | None,
) -> None:
    """The day rows count every resolved case as opened in the period: take away those resolved on
    a whole day of a cut but opened before the period or at or after its end. Each is found on the
    (brand, opened) index between the day rows' earliest and latest opening, so a period whose
    cases all opened in it reads nothing."""
    ranges: list[ColumnElement[bool]] = []
    if lowest is not None and lowest < scope.start:
        ranges.append(CaseOutcome.opened_at >= lowest)
        ranges.append(CaseOutcome.opened_at < scope.start)
    ends: list[ColumnElement[bool]] = []
    if highest is not None and highest >= scope.end:
        ends = [CaseOutcome.opened_at >= scope.end, CaseOutcome.opened_at <= highest]
    for bounds in (ranges, ends):
        if not bounds:
            continue
        query = select(CaseOutcome.resolved_at, *((key,) if key is not None else ())).where(
            *outcome_conditions(scope),
            *bounds,
            CaseOutcome.resolved_at >= scope.start,
            CaseOutcome.resolved_at < scope.end,
            CaseOutcome.resolution_is_problem.is_(True),
        )
        for row in session.execute(query):
            resolved_at = as_utc(row[0])
            group = row[1] if key is not None else None
            for (inner, _), groups in zip(pieces, per_cut, strict=True):
                if inner is not None and inner[0] <= resolved_at < inner[1]:
                    if group not in groups:
                        raise od.StaleRollup(f"a case resolved {resolved_at} in no day row's group {group!r}")
                    groups[group].counts["opened_in_period"] -= 1


class _Values:
    """A percentile's value read back from the outcome rows: the k-th smallest of one bin's values
    in a range of resolutions, for the scope (and one group), found by the database on the
    duration's index (two at a time: a percentile's ranks are next to each other)."""

    def __init__(self, session: Session, scope: Scope, key: Any) -> None:
        self.session, self.scope, self.key = session, scope, key
        self.read: dict[tuple[str, int, datetime, datetime, bool, Any, int], int] = {}

    def spreads(self, sums: od.Sums, start: datetime, end: datetime, group: Any) -> dict[str, d.Spread]:
        return {
            spread: od.spread(
                sums.histograms[column],
                unit,
                lambda low, k, column=column: self.nth(column, low, k, start, end, group),  # type: ignore[misc]
            )
            for spread, (column, unit) in od.SPREADS.items()
        }

    def nth(self, column: str, low: int, k: int, start: datetime, end: datetime, group: Any) -> int:
        piece = (column, low, start, end, group is _ANY, None if group is _ANY else group)
        if (*piece, k) not in self.read:
            duration = CaseOutcome.__table__.c[column]
            query = select(duration).where(
                *outcome_conditions(self.scope),
                duration >= low,
                duration < od.bin_end(low),
                CaseOutcome.resolved_at >= start,
                CaseOutcome.resolved_at < end,
                CaseOutcome.resolution_is_problem.is_(True),
            )
            if group is not _ANY and self.key is not None:
                query = query.where(self.key.is_(None) if group is None else self.key == group)
            found = list(self.session.scalars(query.order_by(duration).limit(2).offset(k)))
            if not found:
                raise od.StaleRollup(
                    f"{column} bin {low} has fewer than {k + 1} values where the day rows count more"
                )
            for offset, value in enumerate(found):
                self.read[(*piece, k + offset)] = value
        return self.read[(*piece, k)]
