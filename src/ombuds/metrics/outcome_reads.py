"""Reads of the per-case outcome rows (``metrics.outcome_models``): range reads on an index.

Read-only. Each figure's cases are the rows whose first resolution (or opening) falls in the
period; the debt at a moment is a sum over the spans that negative cases stood open. The rows are
written by ``metrics.rollup`` alone, from the event log, whenever a case's facts change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Text, and_, bindparam, case, cast, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ombuds.clock import as_utc
from ombuds.db import UtcDateTime
from ombuds.metrics import definitions as d
from ombuds.metrics.outcome_models import CaseOpenSpan, CaseOutcome

if TYPE_CHECKING:
    from ombuds.metrics.queries import Scope


def outcome_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """What an outcome row must match to be in scope (its period aside), on the row's copy of the
    case's brand, team, agent, channel and category."""
    return [CaseOutcome.brand_id == scope.brand_id, *_scope_filters(scope, CaseOutcome)]


def _scope_filters(scope: Scope, rows: type[CaseOutcome] | type[CaseOpenSpan]) -> list[ColumnElement[bool]]:
    """The scope's team, agent, channel and category on the rows' copies of their case's."""
    named = (
        (rows.team_id, scope.team_id),
        (rows.channel, scope.channel),
        (rows.assignee_id, scope.agent_id),
        (rows.category, scope.category),
    )
    return [column == value for column, value in named if value is not None]


def _opened(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        *outcome_conditions(scope),
        CaseOutcome.opened_at >= scope.start,
        CaseOutcome.opened_at < scope.end,
        CaseOutcome.is_junk.is_(False),
    ]


def count_opened(session: Session, scope: Scope) -> int:
    """Cases opened in the period (spam and duplicates left out)."""
    return session.scalar(select(func.count()).select_from(CaseOutcome).where(*_opened(scope))) or 0


def opened_case_ids(session: Session, scope: Scope) -> list[int]:
    return list(
        session.scalars(select(CaseOutcome.case_id).where(*_opened(scope)).order_by(CaseOutcome.case_id))
    )


def opened_times(session: Session, scope: Scope) -> list[datetime]:
    return [as_utc(at) for at in session.scalars(select(CaseOutcome.opened_at).where(*_opened(scope)))]


RESOLVED_FACTS = (
    CaseOutcome.case_id,
    CaseOutcome.resolved_at,
    CaseOutcome.opened_at,
    CaseOutcome.reopened_within_window,
    CaseOutcome.first_contact_resolution,
    CaseOutcome.handoffs,
    CaseOutcome.first_response_seconds,
    CaseOutcome.resolution_seconds,
    CaseOutcome.met_sla,
    CaseOutcome.survey_sent,
    CaseOutcome.survey_score,
    CaseOutcome.experience,
    CaseOutcome.sentiment_before,
    CaseOutcome.sentiment_after,
    CaseOutcome.public_complaint,
    CaseOutcome.closed_in_public,
)


def resolved_case(row: Sequence[Any], *, opened_in_period: bool) -> d.ResolvedCase:
    """A row of ``RESOLVED_FACTS`` as the definitions take it."""
    (
        case_id,
        resolved_at,
        _opened_at,
        reopened,
        fcr,
        handoffs,
        first_response,
        resolution,
        met,
        sent,
        score,
        experience,
        before,
        after,
        public,
        closed,
    ) = row
    return d.ResolvedCase(
        case_id=case_id,
        resolved_at=as_utc(resolved_at),
        opened_in_period=opened_in_period,
        reopened_within_window=reopened,
        first_contact_resolution=fcr,
        handoffs=handoffs,
        first_response_seconds=first_response,
        resolution_seconds=resolution,
        met_sla=met,
        survey_sent=sent,
        survey_score=score,
        experience=None if experience is None else d.Experience(experience),
        sentiment_before=before,
        sentiment_after=after,
        public_complaint=public,
        closed_in_public=closed,
    )


def resolved_cases(session: Session, scope: Scope) -> list[d.ResolvedCase]:
    """The cases whose first resolution falls in the period (spam and duplicates left out)."""
    rows = session.execute(
        select(*RESOLVED_FACTS)
        .where(
            *outcome_conditions(scope),
            CaseOutcome.resolved_at >= scope.start,
            CaseOutcome.resolved_at < scope.end,
            CaseOutcome.resolution_is_problem.is_(True),
        )
        .order_by(CaseOutcome.case_id)
    )
    start, end = scope.start, scope.end
    return [resolved_case(row, opened_in_period=start <= as_utc(row[2]) < end) for row in rows]


class _Unindexed(FunctionElement[datetime]):
    """A span's time that SQLite must not look up by its index (``+column`` there, the column
    elsewhere): the spans holding a moment are found on the index of their ends (those ending
    after it are few); the indexes on their starts and openings are the writer's, and every span
    before the moment matches them."""

    type = UtcDateTime()
    inherit_cache = True


@compiles(_Unindexed)
def _plain(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_Unindexed, "sqlite")
def _unary_plus(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


def _open_at(scope: Scope, moment: datetime) -> list[ColumnElement[bool]]:
    """Spans holding ``moment``: the case opened before it and stood open at it."""
    return [
        CaseOpenSpan.brand_id == scope.brand_id,
        CaseOpenSpan.ends_at > moment,
        _Unindexed(CaseOpenSpan.starts_at) <= moment,
        _Unindexed(CaseOpenSpan.opened_at) < moment,
    ]


def in_scope(scope: Scope, case_id: Any) -> list[ColumnElement[bool]]:
    """A row's case (``case_id``) is one the scope's team, agent, channel or category holds, when it
    names one: the database lists those cases once and looks each row's case up in the list (a
    join would read each case's row apiece)."""
    narrower = outcome_conditions(scope)[1:]
    if not narrower:
        return []
    return [case_id.in_(select(CaseOutcome.case_id).where(*outcome_conditions(scope)))]


def _narrowed(query: Any, scope: Scope) -> Any:
    """A span read narrowed to the scope's team, agent, channel or category, when it names one (the
    span's copy of its case's)."""
    return query.where(*_scope_filters(scope, CaseOpenSpan))


def debt_at(session: Session, scope: Scope, moments: Sequence[datetime]) -> dict[datetime, list[d.DebtCase]]:
    """The debt at each moment, case by case: the cases opened before it, in an open status at it,
    whose customer had a negative experience (as the case reads now), heaviest first."""
    found: dict[datetime, list[d.DebtCase]] = {}
    for moment in moments:
        query = (
            select(CaseOpenSpan.case_id, CaseOpenSpan.opened_at, CaseOutcome.followers)
            .join(CaseOutcome, CaseOutcome.case_id == CaseOpenSpan.case_id)
            .where(*_open_at(scope, moment), *outcome_conditions(scope)[1:])
        )
        debt = [
            d.DebtCase(
                case_id=case_id,
                weight=d.debt_weight(followers=followers, opened_at=as_utc(opened), at=moment),
            )
            for case_id, opened, followers in session.execute(query)
        ]
        found[moment] = sorted(debt, key=lambda item: (-item.weight, item.case_id))
    return found


def debt_totals(session: Session, scope: Scope, moments: Sequence[datetime]) -> dict[datetime, float]:
    """The summed weight of the debt at each moment (``debt_total``), added up by the database in
    one pass: a span counts from the first moment it has begun at (and the case had opened) to the
    first it has ended at, so the spans are summed per such pair and the moments read the sums
    off in order (one range sum per moment would read the spans still open again for each)."""
    at = sorted(set(moments))
    if len(at) < 2:  # one moment: a plain sum over the spans that hold it
        return {moment: _debt_total(session, scope, moment) for moment in at}
    begun = _first(
        lambda i: and_(CaseOpenSpan.starts_at <= at[i], CaseOpenSpan.opened_at < at[i]), 0, len(at)
    )
    ended = _first(lambda i: CaseOpenSpan.ends_at <= at[i], 0, len(at))
    query = _narrowed(
        select(
            begun.label("begun"),
            ended.label("ended"),
            func.sum(CaseOpenSpan.reach),
            func.sum(CaseOpenSpan.reach_opened),
            func.count(),
        ).where(
            CaseOpenSpan.brand_id == scope.brand_id,
            CaseOpenSpan.ends_at > at[0],
            _Unindexed(CaseOpenSpan.starts_at) <= at[-1],
        ),
        scope,
    ).group_by("begun", "ended")
    # what each moment gains and loses: [begun, ended) hold the span
    reach = [0.0] * (len(at) + 1)
    reach_opened = [0.0] * (len(at) + 1)
    spans = [0] * (len(at) + 1)
    for first, last, reach_sum, reach_opened_sum, count in session.execute(query):
        if first < last:
            reach[first] += reach_sum
            reach[last] -= reach_sum
            reach_opened[first] += reach_opened_sum
            reach_opened[last] -= reach_opened_sum
            spans[first] += count
            spans[last] -= count
    found: dict[datetime, float] = {}
    held = held_opened = 0.0
    held_spans = 0
    for index, moment in enumerate(at):
        held += reach[index]
        held_opened += reach_opened[index]
        held_spans += spans[index]
        # no span held: nothing, not what is left of adding and taking away the same sums
        found[moment] = (
            d.debt_total(reach_sum=held, reach_opened_sum=held_opened, at=moment) if held_spans else 0.0
        )
    return {moment: found[moment] for moment in moments}


def _debt_total(session: Session, scope: Scope, moment: datetime) -> float:
    query = _narrowed(
        select(func.sum(CaseOpenSpan.reach), func.sum(CaseOpenSpan.reach_opened)).where(
            *_open_at(scope, moment)
        ),
        scope,
    )
    reach_sum, reach_opened_sum = session.execute(query).one()
    return (
        d.debt_total(reach_sum=reach_sum, reach_opened_sum=reach_opened_sum, at=moment) if reach_sum else 0.0
    )


def _first(holds: Any, low: int, high: int) -> Any:
    """The first index in [low, high) at which ``holds(index)`` (a condition that, once true, stays
    true for every later index) is true, else ``high``: a binary search written as nested CASEs,
    so the database tries a handful of moments a row, not all of them."""
    if low == high:
        return literal(high)
    middle = (low + high) // 2
    return case(
        (holds(middle), _first(holds, low, middle) if low < middle else literal(middle)),
        else_=_first(holds, middle + 1, high),
    )


def debt_per_group(session: Session, scope: Scope, key: Any) -> dict[d.GroupKey, float]:
    """The summed weight of the debt at the end of the period per value of ``key`` (a column of the
    outcome row, read off the span's copy of it), added up by the database; groups with no debt
    left out."""
    group = CaseOpenSpan.__table__.c[key.name]
    query = _narrowed(
        select(group, func.sum(CaseOpenSpan.reach), func.sum(CaseOpenSpan.reach_opened)).where(
            *_open_at(scope, scope.end)
        ),
        scope,
    ).group_by(group)
    return {
        value: d.debt_total(reach_sum=reach_sum, reach_opened_sum=reach_opened_sum, at=scope.end)
        for value, reach_sum, reach_opened_sum in session.execute(query)
        if reach_sum
    }


# --- the figures added up by the database ----------------------------------------------------------


def _yes(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _in_period(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        *outcome_conditions(scope),
        CaseOutcome.resolved_at >= scope.start,
        CaseOutcome.resolved_at < scope.end,
        CaseOutcome.resolution_is_problem.is_(True),
    ]


_MEASURED = and_(CaseOutcome.sentiment_before.is_not(None), CaseOutcome.sentiment_after.is_not(None))
_NEGATIVE_BEFORE = and_(_MEASURED, CaseOutcome.sentiment_before == d.NEGATIVE_SENTIMENT)
_ANSWERED = and_(CaseOutcome.survey_sent.is_(True), CaseOutcome.survey_score.is_not(None))
#: the durations a Spread is taken of, and the unit each is shown in (seconds per minute, per hour)
_DURATIONS = {
    "first_response_minutes": (CaseOutcome.first_response_seconds, 60),
    "resolution_hours": (CaseOutcome.resolution_seconds, 3600),
}


#: the Tally's fields that are counts, in order (the spreads come last)
TALLY_COUNTS = [field.name for field in dataclasses.fields(d.Tally) if field.name not in _DURATIONS]


def _counts(scope: Scope) -> tuple[Any, ...]:
    """The Tally's counts, in its field order, as SQL sums (``definitions.tally`` case by case)."""
    return (
        func.count(),
        _yes(and_(CaseOutcome.opened_at >= scope.start, CaseOutcome.opened_at < scope.end)),
        _yes(CaseOutcome.first_contact_resolution.is_(True)),
        _yes(CaseOutcome.reopened_within_window.is_(True)),
        func.coalesce(func.sum(CaseOutcome.handoffs), 0),
        func.count(CaseOutcome.met_sla),
        _yes(CaseOutcome.met_sla.is_(True)),
        _yes(CaseOutcome.survey_sent.is_(True)),
        _yes(_ANSWERED),
        func.coalesce(func.sum(case((_ANSWERED, CaseOutcome.survey_score), else_=0)), 0),
        _yes(CaseOutcome.experience == d.Experience.POSITIVE.value),
        _yes(_MEASURED),
        _yes(_NEGATIVE_BEFORE),
        _yes(and_(_NEGATIVE_BEFORE, CaseOutcome.sentiment_after > d.NEGATIVE_SENTIMENT)),
        func.coalesce(
            func.sum(case((_MEASURED, CaseOutcome.sentiment_after - CaseOutcome.sentiment_before), else_=0)),
            0,
        ),
        _yes(CaseOutcome.public_complaint.is_(True)),
        _yes(and_(CaseOutcome.public_complaint.is_(True), CaseOutcome.closed_in_public.is_(True))),
    )


def _tally_columns(scope: Scope) -> tuple[Any, ...]:
    """The Tally's counts, then each duration's values as one text ("300,95,4210"): a database
    sorts a percentile's values no faster than Python does, and handing back one string instead
    of a row a case keeps the read cheap."""
    return (
        *_counts(scope),
        *(func.aggregate_strings(cast(column, Text), ",") for column, _ in _DURATIONS.values()),
    )


def _read_tally(row: Sequence[Any]) -> tuple[list[int], list[list[float]]]:
    """A row of ``_tally_columns``: the counts, and each duration's values in its unit."""
    sized = len(_DURATIONS)
    counts = [int(value or 0) for value in row[:-sized]]
    values = [
        [int(value) / unit for value in text.split(",")] if text else []
        for text, (_, unit) in zip(row[-sized:], _DURATIONS.values(), strict=True)
    ]
    return counts, values


def _made(counts: Sequence[int], values: Sequence[Sequence[float]]) -> d.Tally:
    spreads = {name: d.Spread.of(found) for name, found in zip(_DURATIONS, values, strict=True)}
    return d.Tally(**dict(zip(TALLY_COUNTS, counts, strict=True)), **spreads)  # type: ignore[arg-type]


def cut_reads(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]], key: Any
) -> list[dict[d.GroupKey, Sequence[Any]]]:
    """Per cut, each group's row of ``_tally_columns`` (one group, None, without a key)."""
    begins = bindparam("begins", type_=CaseOutcome.resolved_at.type)
    ends = bindparam("ends", type_=CaseOutcome.resolved_at.type)
    grouping = () if key is None else (key,)
    query = select(*grouping, *_tally_columns(scope)).where(
        *outcome_conditions(scope),
        CaseOutcome.resolved_at >= begins,
        CaseOutcome.resolved_at < ends,
        CaseOutcome.resolution_is_problem.is_(True),
    )
    if key is not None:
        query = query.group_by(key)
    return [
        {
            (row[0] if key is not None else None): row[len(grouping) :]
            for row in session.execute(query, {"begins": start, "ends": end})
        }
        for start, end in cuts
    ]


def grouped_tallies_of_rows(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]], key: Any
) -> tuple[d.Tally, list[d.Tally], dict[d.GroupKey, d.Tally]]:
    """The tally of the cases first resolved in the period, and of those in each cut (the cuts
    tile the period), from the outcome rows: one range read per cut on the covering index (a GROUP
    BY on the cut would sort the period's rows first), the whole period's counts their sum and its
    durations theirs; with a ``key`` (a column of the outcome row: team, agent, channel,
    category) the period's tally per value of it too, from the same reads (each cut's read
    grouped by the key). The statement is built once and run per cut with the cut's bounds."""
    per_cut = [
        {group: _read_tally(row) for group, row in groups.items()}
        for groups in cut_reads(session, scope, cuts, key)
    ]
    tallied = [_made(*_summed(groups.values())) for groups in per_cut]
    found: dict[d.GroupKey, list[tuple[list[int], list[list[float]]]]] = {}
    for groups in per_cut:
        for group, read in groups.items():
            found.setdefault(group, []).append(read)
    per_group = {group: _made(*_summed(reads)) for group, reads in found.items()} if key is not None else {}
    if len(tallied) == 1:  # the period itself
        return tallied[0], tallied, per_group
    return _made(*_summed([r for groups in per_cut for r in groups.values()])), tallied, per_group


def _summed(
    reads: Iterable[tuple[list[int], list[list[float]]]],
) -> tuple[list[int], list[list[float]]]:
    """Reads of ``_read_tally`` taken together: the counts added, the durations' values joined
    (a percentile sorts them; all counts are whole numbers, so the order of adding is no matter)."""
    counts = [0] * len(TALLY_COUNTS)
    values: list[list[float]] = [[] for _ in _DURATIONS]
    for found, durations in reads:
        counts = [a + b for a, b in zip(counts, found, strict=True)]
        for joined, more in zip(values, durations, strict=True):
            joined.extend(more)
    return counts, values


def _resolved_between(scope: Scope, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        *outcome_conditions(scope),
        CaseOutcome.resolved_at >= start,
        CaseOutcome.resolved_at < end,
        CaseOutcome.resolution_is_problem.is_(True),
    ]


#: each resolved-case figure of ``queries.figure_case_ids`` as a condition on the outcome row (the
#: same picks it makes of ``ResolvedCase``s)
FIGURE_CONDITIONS: dict[str, Any] = {
    "resolved": lambda scope: true(),
    "resolved_new": lambda scope: and_(
        CaseOutcome.opened_at >= scope.start, CaseOutcome.opened_at < scope.end
    ),
    "first_contact": lambda scope: CaseOutcome.first_contact_resolution.is_(True),
    "not_first_contact": lambda scope: or_(
        CaseOutcome.first_contact_resolution.is_(None), CaseOutcome.first_contact_resolution.is_(False)
    ),
    "reopened": lambda scope: CaseOutcome.reopened_within_window.is_(True),
    "handed_off": lambda scope: CaseOutcome.handoffs > 0,
    "sla_met": lambda scope: CaseOutcome.met_sla.is_(True),
    "sla_missed": lambda scope: CaseOutcome.met_sla.is_(False),
    "surveyed": lambda scope: CaseOutcome.survey_score.is_not(None),
    "positive": lambda scope: CaseOutcome.experience == d.Experience.POSITIVE.value,
    "recovered": lambda scope: and_(_NEGATIVE_BEFORE, CaseOutcome.sentiment_after > d.NEGATIVE_SENTIMENT),
    "not_recovered": lambda scope: and_(
        _NEGATIVE_BEFORE, CaseOutcome.sentiment_after == d.NEGATIVE_SENTIMENT
    ),
    "public_complaint": lambda scope: CaseOutcome.public_complaint.is_(True),
    "closed_in_public": lambda scope: and_(
        CaseOutcome.public_complaint.is_(True), CaseOutcome.closed_in_public.is_(True)
    ),
    "not_closed_in_public": lambda scope: and_(
        CaseOutcome.public_complaint.is_(True), CaseOutcome.closed_in_public.is_(False)
    ),
}


def figure_case_ids(session: Session, scope: Scope, figure: str) -> list[int]:
    """The cases first resolved in the period that a figure counts, in id order."""
    condition = FIGURE_CONDITIONS[figure](scope)
    query = select(CaseOutcome.case_id).where(*_in_period(scope), condition).order_by(CaseOutcome.case_id)
    return list(session.scalars(query))


def opened_per_cut(session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """The cases opened in each cut of the period (spam and duplicates left out): a count on the
    (brand, opened) index per cut."""
    return [count_opened(session, replace(scope, start=start, end=end)) for start, end in cuts]


def opened_per_group(session: Session, scope: Scope, key: Any) -> dict[d.GroupKey, int]:
    """The cases opened in the period per value of ``key`` (a column of the outcome row)."""
    query = select(key, func.count()).where(*_opened(scope)).group_by(key)
    return {group: int(count) for group, count in session.execute(query)}


def heaviest_debt(session: Session, scope: Scope, at: datetime, *, limit: int) -> list[d.DebtCase]:
    """The ``limit`` heaviest unresolved negative experiences at ``at`` (what pays the debt down
    fastest), ordered by the database: weight = reach × (1 + (at − opened) / unit), so reach ×
    (unit + at) − reach × opened orders them the same."""
    unit = d.DEBT_AGE_UNIT.total_seconds()
    order = CaseOpenSpan.reach * (unit + at.timestamp()) - CaseOpenSpan.reach_opened
    query = (
        _narrowed(
            select(CaseOpenSpan.case_id, CaseOpenSpan.opened_at, CaseOpenSpan.reach).where(
                *_open_at(scope, at)
            ),
            scope,
        )
        .order_by(order.desc(), CaseOpenSpan.case_id)
        .limit(limit)
    )
    found = [
        d.DebtCase(case_id=case_id, weight=reach * (1 + max((at - as_utc(opened)) / d.DEBT_AGE_UNIT, 0.0)))
        for case_id, opened, reach in session.execute(query)
    ]
    return sorted(found, key=lambda item: (-item.weight, item.case_id))
