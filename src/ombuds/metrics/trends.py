"""Reads: the period cut into days, weeks or months, with the outcomes of each (the dashboard's lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ombuds.clock import utcnow
from ombuds.metrics import definitions as d
from ombuds.metrics.daily_reads import debt_totals, grouped_tallies, opened_per_cut
from ombuds.metrics.outcome_reads import heaviest_debt
from ombuds.metrics.queries import Scope

#: the unresolved negative experiences the overview lists one by one (the pay-down list shows ten)
HEAVIEST = 50


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
    debt: list[d.DebtCase]  # the heaviest (``HEAVIEST``) at the end of the period, heaviest first
    groups: dict[d.GroupKey, d.Tally]  # per value of the ``group`` asked for (none asked: empty)


@dataclass(frozen=True, slots=True)
class ResolvedRead:
    """The resolved cases' tallies: the period's, each bucket's, and per group (if one was asked)."""

    whole: d.Tally
    per_cut: list[d.Tally]
    groups: dict[d.GroupKey, d.Tally]


@dataclass(frozen=True, slots=True)
class OpenRead:
    """The cases opened in each bucket, the debt at each bucket's end and the heaviest at the end."""

    opened: list[int]
    totals: dict[datetime, float]
    heaviest: list[d.DebtCase]


def read_resolved(session: Session, scope: Scope, *, group: Any = None) -> ResolvedRead:
    """With a ``group`` (a column of the outcome row) the same reads tally the resolved cases per
    value of it too, for a breakdown (``queries.breakdown``'s ``resolved``)."""
    whole, per_cut, groups = grouped_tallies(
        session, scope, d.buckets(scope.start, scope.end, timezone=scope.timezone), group
    )
    return ResolvedRead(whole, per_cut, groups)


def read_open(session: Session, scope: Scope, *, now: datetime | None = None) -> OpenRead:
    """The debt as sums the database adds up (``definitions.debt_total``), and case by case only
    the heaviest at the end (what would pay it down fastest). A bucket that has not ended yet (today's,
    or a period asked into the future) counts the debt as it stands ``now``: weighing open cases by
    an age they have not reached would invent debt."""
    cuts = d.buckets(scope.start, scope.end, timezone=scope.timezone)
    now = now or utcnow()
    at = {end: min(end, now) for _, end in cuts}
    found = debt_totals(session, scope, sorted(set(at.values())))
    return OpenRead(
        opened=opened_per_cut(session, scope, cuts),
        totals={end: found[moment] for end, moment in at.items()},
        heaviest=heaviest_debt(session, scope, min(scope.end, now), limit=HEAVIEST),
    )


def overview_of(scope: Scope, resolved: ResolvedRead, open_: OpenRead) -> Overview:
    """The overview made of its two reads (independent of each other: they may run at once)."""
    cuts = d.buckets(scope.start, scope.end, timezone=scope.timezone)
    opened, totals = open_.opened, open_.totals
    return Overview(
        outcomes=d.outcomes_of(resolved.whole, opened=sum(opened), unresolved=totals[scope.end]),
        points=[
            TrendPoint(
                start, end, d.outcomes_of(resolved.per_cut[i], opened=opened[i], unresolved=totals[end])
            )
            for i, (start, end) in enumerate(cuts)
        ],
        debt=open_.heaviest,
        groups=resolved.groups,
    )


def overview(session: Session, scope: Scope, *, group: Any = None) -> Overview:
    """Each bucket's outcomes (its own opened and resolved cases, the debt at its end) and the
    whole period's, added up by the database from the outcome rows: a GROUP BY per figure kind
    (``read_resolved``, ``read_open``)."""
    return overview_of(scope, read_resolved(session, scope, group=group), read_open(session, scope))


def trend(session: Session, scope: Scope) -> list[TrendPoint]:
    return overview(session, scope).points
