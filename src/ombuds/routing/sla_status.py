"""Reads: where open cases stand against their brand's SLA policy (ok, near breach, breached, paused).

The inbox, the case page and the runner's escalation all ask here, so the colour a person sees
and the breach the runner escalates come from the same clocks. The next-response clock is not
stored: it runs from the customer's first message after our latest reply, read from the messages.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.clock import as_utc
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.routing import sla
from ombuds.routing.models import SlaClock
from ombuds.routing.queries import get_sla_policy

#: Cases with an SLA at all: a resolved or closed case has stopped its clocks.
TIMED = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)


def unanswered_since(session: Session, *, case_ids: Collection[int] | None = None) -> dict[int, datetime]:
    """Answered cases whose customer wrote again: the first customer message after our latest reply.

    ``case_ids`` None means every timed case (the runner's round).
    """
    if case_ids is not None and not case_ids:
        return {}
    # only cases with a running clock: resolved ones, most of the table in time, are left unread
    last_out = (
        select(Mention.case_id, func.max(Mention.created_at).label("at"))
        .join(Case, Case.id == Mention.case_id)
        .where(
            Mention.direction == Direction.OUTBOUND,
            Case.status.in_(TIMED),
            Case.first_responded_at.is_not(None),
        )
        .group_by(Mention.case_id)
    )
    if case_ids is not None:
        last_out = last_out.where(Mention.case_id.in_(case_ids))
    answered = last_out.subquery()
    query = (
        select(Mention.case_id, func.min(Mention.created_at))
        .join(answered, answered.c.case_id == Mention.case_id)
        .where(Mention.direction == Direction.INBOUND, Mention.created_at > answered.c.at)
        .group_by(Mention.case_id)
    )
    return {case_id: as_utc(at) for case_id, at in session.execute(query) if case_id is not None}


def _missed(since: datetime | None, due: datetime | None, unanswered: datetime | None) -> datetime | None:
    """The next-response deadline a breach escalated, while the message it was for still waits."""
    if since is None or due is None or unanswered is None or as_utc(since) != as_utc(unanswered):
        return None
    return as_utc(due)


def next_response_due(session: Session, *, unanswered: dict[int, datetime]) -> dict[int, datetime]:
    """When each case's next response is due, from the customer's unanswered message and the brand's
    policy; for a message whose breach escalated, the deadline it missed (the priority that breach
    raised would otherwise move it earlier)."""
    if not unanswered:
        return {}
    rows = session.execute(
        select(SlaClock.case_id, SlaClock.escalated_next_since, SlaClock.escalated_next_due).where(
            SlaClock.case_id.in_(list(unanswered)), SlaClock.escalated_next_due.is_not(None)
        )
    )
    missed = {
        case_id: due
        for case_id, since, escalated in rows
        if (due := _missed(since, escalated, unanswered[case_id])) is not None
    }
    policies: dict[int, sla.SlaPolicy] = {}
    found = dict(missed)
    for case in session.scalars(select(Case).where(Case.id.in_([i for i in unanswered if i not in missed]))):
        policy = policies.get(case.brand_id)
        if policy is None:
            policy = policies[case.brand_id] = get_sla_policy(session, case.brand_id)
        due = sla.due_at(
            policy,
            sla.Target.NEXT_RESPONSE,
            priority=Priority(case.priority),
            start=unanswered[case.id],
            channel=case.channel,
        )
        if due is not None:
            found[case.id] = due
    return found


def clocks_of(
    policy: sla.SlaPolicy, case: Case, *, unanswered: datetime | None, missed_next_due: datetime | None = None
) -> list[sla.Clock]:
    """The case's running clocks under ``policy``."""

    def utc(moment: datetime | None) -> datetime | None:
        return as_utc(moment) if moment is not None else None

    return sla.running_clocks(
        policy,
        priority=Priority(case.priority),
        channel=case.channel,
        opened_at=as_utc(case.opened_at),
        first_response_due=utc(case.first_response_due_at),
        first_responded_at=utc(case.first_responded_at),
        resolve_due=utc(case.resolve_due_at),
        unanswered_since=unanswered,
        missed_next_due=missed_next_due,
    )


def case_sla_states(session: Session, *, case_ids: Collection[int], now: datetime) -> dict[int, sla.CaseSla]:
    """The SLA state of each open case among ``case_ids``; resolved and closed cases are left out.

    Callers pass ids already scoped to the brands the reader may see.
    """
    if not case_ids:
        return {}
    rows = session.execute(
        select(Case, SlaClock.paused_at, SlaClock.escalated_next_since, SlaClock.escalated_next_due)
        .outerjoin(SlaClock, SlaClock.case_id == Case.id)
        .where(Case.id.in_(case_ids), Case.status.in_(TIMED))
    ).all()
    unanswered = unanswered_since(session, case_ids=case_ids)
    policies: dict[int, sla.SlaPolicy] = {}
    states = {}
    for case, paused_at, escalated_since, escalated_due in rows:
        policy = policies.get(case.brand_id)
        if policy is None:
            policy = policies[case.brand_id] = get_sla_policy(session, case.brand_id)
        is_paused = case.status is CaseStatus.PENDING or paused_at is not None
        waiting = unanswered.get(case.id)
        clocks = clocks_of(
            policy, case, unanswered=waiting, missed_next_due=_missed(escalated_since, escalated_due, waiting)
        )
        states[case.id] = sla.case_sla(policy, clocks, now=now, is_paused=is_paused)
    return states
