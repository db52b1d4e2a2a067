"""Reads: the period cut into days, weeks or months, with the outcomes of each (the dashboard's lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ombuds.clock import as_utc
from ombuds.metrics import definitions as d
from ombuds.metrics.outcome_reads import debt_totals
from ombuds.metrics.queries import Scope, debt_at, opened_times, resolved_cases


@dataclass(frozen=True, slots=True)
class TrendPoint:
    start: datetime
    end: datetime
    outcomes: d.Outcomes


@dataclass(frozen=True, slots=True)
class Overview:
    """The period's outcomes, each bucket's, and the debt at the end: read once for the dashboard."""

    outcomes: d.Outcomes
    points: list[TrendPoint]
    debt: list[d.DebtCase]


def overview(session: Session, scope: Scope) -> Overview:
    """Each bucket's outcomes (its own opened and resolved cases, the debt at its end) and the whole period's."""
    cuts = d.buckets(scope.start, scope.end)
    opened = [0] * len(cuts)
    for at in opened_times(session, scope):
        index = d.bucket_of(as_utc(at), cuts)
        if index is not None:
            opened[index] += 1
    every = resolved_cases(session, scope)
    resolved: list[list[d.ResolvedCase]] = [[] for _ in cuts]
    for case in every:
        index = d.bucket_of(case.resolved_at, cuts)
        if index is not None:
            resolved[index].append(case)
    # case by case at the end (what would pay it down); at each bucket's end only its sum, which
    # the database adds up (``definitions.debt_total``), as one weight
    at_end = debt_at(session, scope, [scope.end])[scope.end]
    totals = debt_totals(session, scope, [end for _, end in cuts])
    return Overview(
        outcomes=d.outcomes(opened=sum(opened), resolved=every, debt=at_end),
        points=[
            TrendPoint(
                start, end, d.outcomes(opened=opened[i], resolved=resolved[i], debt=_summed(totals[end]))
            )
            for i, (start, end) in enumerate(cuts)
        ],
        debt=at_end,
    )


def _summed(total: float) -> list[d.DebtCase]:
    return [d.DebtCase(case_id=0, weight=total)] if total else []


def trend(session: Session, scope: Scope) -> list[TrendPoint]:
    return overview(session, scope).points
