"""Reads of the per-case outcome rows (``metrics.outcome_models``): range reads on an index.

Read-only. Each figure's cases are the rows whose first resolution (or opening) falls in the
period; the debt at a moment is a sum over the spans that negative cases stood open. The rows are
written by ``metrics.rollup`` alone, from the event log, whenever a case's facts change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ombuds.clock import as_utc
from ombuds.metrics import definitions as d
from ombuds.metrics.outcome_models import CaseOpenSpan, CaseOutcome

if TYPE_CHECKING:
    from ombuds.metrics.queries import Scope


def outcome_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """What an outcome row must match to be in scope (its period aside): ``Scope.conditions`` on
    the row's copy of the case's brand, team, agent, channel and category."""
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
