"""Reads behind Ombuds' problem proposals: growing categories, incidents' open cases, promises'
contradictions, and which proposals were settled (confirmed or dismissed). The rules are pure,
in ``proposals.py``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.clock import as_utc
from ombuds.enrichment.models import Enrichment
from ombuds.incidents.models import OPEN_STATUSES as INCIDENT_OPEN
from ombuds.incidents.models import Incident
from ombuds.incidents.queries import incident_cases
from ombuds.mentions.models import Direction, Mention
from ombuds.problems import proposals
from ombuds.problems.models import Problem, ProblemCase, ProblemProposalDismissal
from ombuds.promises.matching import Stance
from ombuds.promises.models import Promise, PromiseMatch

#: How far back "this week" and "last week" reach for a growing category.
WEEK = timedelta(days=7)


def _category_weeks(session: Session, *, brand_id: int, now: datetime) -> list[proposals.CategoryWeeks]:
    """Per category: the open cases opened this week, and how many opened the week before."""
    first_message = (
        select(Mention.case_id, func.min(Mention.id).label("mention_id"))
        .join(Case, Case.id == Mention.case_id)
        .where(
            Case.brand_id == brand_id,
            Case.status.in_(list(OPEN_STATUSES)),
            Case.opened_at >= now - 2 * WEEK,
            Mention.direction == Direction.INBOUND,
        )
        .group_by(Mention.case_id)
        .subquery()
    )
    rows = session.execute(
        select(first_message.c.case_id, Case.opened_at, Enrichment.label)
        .join(Case, Case.id == first_message.c.case_id)
        .join(Enrichment, Enrichment.mention_id == first_message.c.mention_id)
        .where(Enrichment.analyzer == "category", Enrichment.label.is_not(None))
    ).all()
    this_week: dict[str, list[int]] = defaultdict(list)
    last_week: dict[str, int] = defaultdict(int)
    for case_id, opened_at, label in rows:
        if as_utc(opened_at) >= now - WEEK:
            this_week[label].append(case_id)
        else:
            last_week[label] += 1
    return [
        proposals.CategoryWeeks(category=label, this_week=ids, last_week=last_week[label])
        for label, ids in sorted(this_week.items())
    ]


def _incident_cases(session: Session, *, brand_id: int) -> list[proposals.IncidentCases]:
    incidents = session.scalars(
        select(Incident).where(Incident.brand_id == brand_id, Incident.status.in_(list(INCIDENT_OPEN)))
    )
    found = []
    for incident in incidents:
        ids = [row.id for row in incident_cases(session, incident=incident, limit=1000)]
        open_ids = list(
            session.scalars(select(Case.id).where(Case.id.in_(ids), Case.status.in_(list(OPEN_STATUSES))))
        )
        found.append(proposals.IncidentCases(incident.id, incident.title, open_ids))
    return found


def _promise_contradictions(
    session: Session, *, brand_id: int, now: datetime
) -> list[proposals.PromiseContradictions]:
    rows = session.execute(
        select(Promise.id, Promise.text, Mention.case_id)
        .join(PromiseMatch, PromiseMatch.promise_id == Promise.id)
        .join(Mention, Mention.id == PromiseMatch.mention_id)
        .join(Case, Case.id == Mention.case_id)
        .where(
            Promise.brand_id == brand_id,
            Promise.is_active.is_(True),
            PromiseMatch.stance == Stance.CONTRADICTS,
            Case.status.in_(list(OPEN_STATUSES)),
        )
        .distinct()
    ).all()
    by_promise: dict[tuple[int, str], list[int]] = defaultdict(list)
    for promise_id, text, case_id in rows:
        if case_id is not None:
            by_promise[(promise_id, text)].append(case_id)
    return [
        proposals.PromiseContradictions(promise_id, text, ids)
        for (promise_id, text), ids in sorted(by_promise.items())
    ]


def list_proposals(session: Session, *, brand_id: int, now: datetime) -> list[proposals.Proposal]:
    """What Ombuds proposes to PR and managers as problems now (``proposals.propose``)."""
    settled = set(
        session.scalars(
            select(ProblemProposalDismissal.key).where(ProblemProposalDismissal.brand_id == brand_id)
        )
    ) | {
        key
        for key in session.scalars(
            select(Problem.proposal_key).where(
                Problem.brand_id == brand_id, Problem.proposal_key.is_not(None)
            )
        )
        if key
    }
    linked = set(session.scalars(select(ProblemCase.case_id).where(ProblemCase.brand_id == brand_id)))
    found = proposals.propose(
        categories=_category_weeks(session, brand_id=brand_id, now=now),
        incidents=_incident_cases(session, brand_id=brand_id),
        promises=_promise_contradictions(session, brand_id=brand_id, now=now),
        linked_case_ids=linked,
        settled_keys=settled,
    )
    wanted = {case_id for proposal in found for case_id in proposal.case_ids}
    team_of: dict[int, int | None] = dict(
        session.execute(select(Case.id, Case.team_id).where(Case.id.in_(wanted))).all() if wanted else []
    )
    return [proposals.with_suggested_owner(proposal, team_of) for proposal in found]
