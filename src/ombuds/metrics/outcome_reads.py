"""Reads of the per-case outcome rows (``metrics.outcome_models``): range reads on an index.

Read-only. Each figure's cases are the rows whose first resolution (or opening) falls in the
period; the debt at a moment is a sum over the spans that negative cases stood open. The rows are
written by ``metrics.rollup`` alone, from the event log, whenever a case's facts change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from ombuds.clock import as_utc
from ombuds.metrics import definitions as d
from ombuds.metrics.outcome_models import CaseOpenSpan, CaseOutcome

if TYPE_CHECKING:
    from ombuds.metrics.queries import Scope


def outcome_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """What an outcome row must match to be in scope (its period aside), on the row's copy of the
    case's brand, team, agent, channel and category."""
    found = [CaseOutcome.brand_id == scope.brand_id]
    if scope.team_id is not None:
        found.append(CaseOutcome.team_id == scope.team_id)
    if scope.channel is not None:
        found.append(CaseOutcome.channel == scope.channel)
    if scope.agent_id is not None:
        found.append(CaseOutcome.assignee_id == scope.agent_id)
    if scope.category is not None:
        found.append(CaseOutcome.category == scope.category)
    return found


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


_RESOLVED_FACTS = (
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


def resolved_cases(session: Session, scope: Scope) -> list[d.ResolvedCase]:
    """The cases whose first resolution falls in the period (spam and duplicates left out)."""
    rows = session.execute(
        select(*_RESOLVED_FACTS)
        .where(
            *outcome_conditions(scope),
            CaseOutcome.resolved_at >= scope.start,
            CaseOutcome.resolved_at < scope.end,
            CaseOutcome.resolution_is_problem.is_(True),
        )
        .order_by(CaseOutcome.case_id)
    )
    start, end = scope.start, scope.end
    return [
        d.ResolvedCase(
            case_id=case_id,
            resolved_at=as_utc(resolved_at),  # type: ignore[arg-type]  # in the period: not None
            opened_in_period=start <= as_utc(opened_at) < end,
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
        for (
            case_id,
            resolved_at,
            opened_at,
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
        ) in rows
    ]


def _open_at(scope: Scope, moment: datetime) -> list[ColumnElement[bool]]:
    """Spans holding ``moment``: the case opened before it and stood open at it."""
    return [
        CaseOpenSpan.brand_id == scope.brand_id,
        CaseOpenSpan.ends_at > moment,
        CaseOpenSpan.starts_at <= moment,
        CaseOpenSpan.opened_at < moment,
    ]


def _narrowed(query: Any, scope: Scope) -> Any:
    """A span read narrowed to the scope's team, agent, channel or category, when it names one."""
    narrower = outcome_conditions(scope)[1:]
    if not narrower:
        return query
    return query.join(CaseOutcome, CaseOutcome.case_id == CaseOpenSpan.case_id).where(*narrower)


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
    """The summed weight of the debt at each moment, added up by the database (``debt_total``)."""
    found: dict[datetime, float] = {}
    for moment in moments:
        query = _narrowed(
            select(func.sum(CaseOpenSpan.reach), func.sum(CaseOpenSpan.reach_opened)).where(
                *_open_at(scope, moment)
            ),
            scope,
        )
        reach_sum, reach_opened_sum = session.execute(query).one()
        found[moment] = (
            d.debt_total(reach_sum=reach_sum, reach_opened_sum=reach_opened_sum, at=moment)
            if reach_sum
            else 0.0
        )
    return found


# --- the figures added up by the database ----------------------------------------------------------


def _yes(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _bucket(cuts: Sequence[tuple[datetime, datetime]]) -> Any:
    """Which of the cuts (they tile the period) a first resolution falls in: 0, 1, ..."""
    return case(
        *((CaseOutcome.resolved_at < end, index) for index, (_, end) in enumerate(cuts)), else_=len(cuts)
    )


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
_TALLY_COUNTS = [field.name for field in dataclasses.fields(d.Tally) if field.name not in _DURATIONS]


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
        *(func.count(column) for column, _ in _DURATIONS.values()),
    )


def tallies(
    session: Session, scope: Scope, cuts: Sequence[tuple[datetime, datetime]]
) -> tuple[d.Tally, list[d.Tally]]:
    """The tally of the cases first resolved in the period, and of those in each cut (the cuts tile
    the period): one GROUP BY for the counts, and one read of the durations for their spreads."""
    bucket = _bucket(cuts).label("bucket")
    rows = session.execute(select(bucket, *_counts(scope)).where(*_in_period(scope)).group_by(bucket)).all()
    per_bucket = {row[0]: [int(value or 0) for value in row[1:]] for row in rows}
    whole = [sum(values) for values in zip(*per_bucket.values(), strict=True)] or [0] * (len(_counts(scope)))
    sized = len(_DURATIONS)
    timed: dict[int | None, list[int]] = {key: values[-sized:] for key, values in per_bucket.items()}
    timed[None] = whole[-sized:]
    spreads = _spreads(session, scope, cuts, timed)

    def made(values: list[int], key: int | None) -> d.Tally:
        fields: dict[str, Any] = dict(zip(_TALLY_COUNTS, values[:-sized], strict=True))
        fields.update({name: found[key] for name, found in spreads.items()})
        return d.Tally(**fields)

    return made(whole, None), [made(per_bucket.get(i, [0] * len(whole)), i) for i in range(len(cuts))]


def _spreads(
    session: Session,
    scope: Scope,
    cuts: Sequence[tuple[datetime, datetime]],
    counts: dict[int | None, list[int]],
) -> dict[str, dict[int | None, d.Spread]]:
    """Each duration's Spread per cut (key: its index) and over the whole period (key: None): the
    database sorts the column in the range and hands back the two values each percentile lies
    between (``Spread.at_ranks``); ``counts``: the non-null durations per cut, in ``_DURATIONS`` order."""
    ranges: dict[int | None, tuple[datetime, datetime]] = dict(enumerate(cuts))
    if len(cuts) > 1:
        ranges[None] = (scope.start, scope.end)
    found: dict[str, dict[int | None, d.Spread]] = {}
    for n, (name, (column, unit)) in enumerate(_DURATIONS.items()):
        spreads: dict[int | None, d.Spread] = {}
        for key, (start, end) in ranges.items():
            query = (
                select(column)
                .where(*_resolved_between(scope, start, end), column.is_not(None))
                .order_by(column)
                .limit(2)
            )

            def values_from(rank: int, query: Any = query, unit: int = unit) -> list[float]:
                return [value / unit for value in session.scalars(query.offset(rank))]

            spreads[key] = d.Spread.at_ranks(counts.get(key, [0] * len(_DURATIONS))[n], values_from)
        if None not in spreads:
            spreads[None] = spreads[0]
        found[name] = spreads
    return found


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
    """The cases opened in each cut of the period (spam and duplicates left out)."""
    bucket = case(
        *((CaseOutcome.opened_at < end, index) for index, (_, end) in enumerate(cuts)), else_=len(cuts)
    ).label("bucket")
    query = select(bucket, func.count()).where(*_opened(scope)).group_by(bucket)
    counts: dict[int, int] = {row[0]: row[1] for row in session.execute(query)}
    return [int(counts.get(index, 0)) for index in range(len(cuts))]


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
