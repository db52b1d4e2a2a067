"""Settling Ombuds' proposals: PR or a manager confirms one (it becomes a problem, through
``actions.create_problem``) or dismisses it (it is not proposed again). Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.lifecycle import Actor
from ombuds.errors import NotFound
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.problems.access import ensure_may_manage
from ombuds.problems.actions import clean_text, create_problem
from ombuds.problems.models import Problem, ProblemProposalDismissal
from ombuds.problems.proposal_queries import list_proposals


def confirm_proposal(
    session: Session,
    *,
    brand_id: int,
    key: str,
    owner_team_id: int,
    actor: Actor,
    now: datetime,
    title: str | None = None,
) -> Problem:
    """The proposal as a problem owned by the team, with its cases, incidents and promises.

    NotFound when Ombuds no longer proposes it (settled already, or its cases are taken).
    """
    ensure_may_manage(session, actor=actor, brand_id=brand_id)
    proposal = next((p for p in list_proposals(session, brand_id=brand_id, now=now) if p.key == key), None)
    if proposal is None:
        raise NotFound(f"no proposal {key!r} now: confirmed, dismissed, or its cases are linked elsewhere")
    return create_problem(
        session,
        brand_id=brand_id,
        title=(title or "").strip() or proposal.title,
        owner_team_id=owner_team_id,
        case_ids=proposal.case_ids,
        actor=actor,
        now=now,
        category=proposal.category,
        incident_ids=proposal.incident_ids,
        promise_ids=proposal.promise_ids,
        proposal_key=proposal.key,
    )


def dismiss_proposal(session: Session, *, brand_id: int, key: str, actor: Actor, now: datetime) -> bool:
    """Not a problem: the proposal is not made again. False when it was dismissed already."""
    ensure_may_manage(session, actor=actor, brand_id=brand_id)
    clean = clean_text(key, field="key", limit=200, required=True)
    exists = session.scalar(
        select(ProblemProposalDismissal.id).where(
            ProblemProposalDismissal.brand_id == brand_id, ProblemProposalDismissal.key == clean
        )
    )
    if exists is not None:
        return False
    dismissal = ProblemProposalDismissal(
        brand_id=brand_id, key=clean, dismissed_by_id=actor.user_id, dismissed_at=now
    )
    session.add(dismissal)
    session.flush()
    record_event(
        session,
        brand_id=brand_id,
        kind=EventKind.PROBLEM_PROPOSAL_DISMISSED,
        subject_type="brand",
        subject_id=brand_id,
        actor_id=actor.user_id,
        data={"key": clean},
        occurred_at=now,
    )
    return True
