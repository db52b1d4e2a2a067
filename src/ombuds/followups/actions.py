"""The only writers of follow-ups: park a case until a date, plan a check-in, bring cases back when due.

Callers own the transaction, except ``return_due_follow_ups``: the runner's after-round hook,
which gives each due follow-up its own transaction so one bad row does not hold up the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ombuds.cases.actions import move_case
from ombuds.cases.lifecycle import Actor, ensure_may_work
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus
from ombuds.clock import as_utc, utcnow
from ombuds.db import transaction
from ombuds.errors import Conflict, InvalidInput
from ombuds.event_payloads import CaseFollowUpReturned, CaseFollowUpSet, EventPayload
from ombuds.events import record_event
from ombuds.followups.models import FollowUp
from ombuds.followups.values import FollowUpKind, Outcome, WaitingOn, due_problem

logger = logging.getLogger(__name__)

NOTE_MAX_CHARS = 500
BATCH = 200


def set_pending_until(
    session: Session,
    *,
    case: Case,
    until: datetime,
    waiting_on: WaitingOn,
    note: str = "",
    actor: Actor,
    now: datetime | None = None,
) -> FollowUp:
    """Park an open case until a date: it is pending now and comes back to its owner on that date."""
    ensure_may_work(session, case=case, actor=actor)
    now = now or utcnow()
    until = _due(until, now=now, field="until")
    note = _note(note, required=False)
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            f"case #{case.id} is {case.status.value}: park an open case; "
            "a resolved case gets a check-in (POST /api/v1/cases/{id}/check-ins)"
        )
    move_case(
        session,
        case=case,
        status=CaseStatus.PENDING,
        at=now,
        actor_id=actor.user_id,
        api_token_id=actor.api_token_id,
    )
    return _schedule(
        session,
        case=case,
        kind=FollowUpKind.PENDING,
        due_at=until,
        waiting_on=waiting_on,
        note=note,
        actor=actor,
        now=now,
    )


def schedule_check_in(
    session: Session, *, case: Case, at: datetime, note: str, actor: Actor, now: datetime | None = None
) -> FollowUp:
    """Plan to ask a resolved customer whether the fix held: the case reopens on ``at`` as a reminder."""
    ensure_may_work(session, case=case, actor=actor)
    now = now or utcnow()
    at = _due(at, now=now, field="at")
    note = _note(note, required=True)
    if case.status in OPEN_STATUSES:
        raise Conflict(
            f"case #{case.id} is still {case.status.value}: a check-in follows a resolved case; "
            "to come back to an open one, set it pending until a date"
        )
    return _schedule(
        session,
        case=case,
        kind=FollowUpKind.CHECK_IN,
        due_at=at,
        waiting_on=None,
        note=note,
        actor=actor,
        now=now,
    )


def return_follow_up(session: Session, *, follow_up_id: int, now: datetime) -> Outcome | None:
    """Bring one due follow-up's case back to its owner; None when it was done already (by another runner)."""
    claimed = session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.done_at.is_(None), FollowUp.due_at <= now)
        .values(done_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    follow_up = session.get(FollowUp, follow_up_id)
    assert follow_up is not None
    session.refresh(follow_up)
    case = session.get(Case, follow_up.case_id)
    assert case is not None
    waiting = CaseStatus.PENDING if follow_up.kind is FollowUpKind.PENDING else None
    # a parked case still parked, or a resolved one still resolved: anything else means someone
    # (or the customer) took it up meanwhile, and it is where it should be already
    due = case.status is waiting if waiting else case.status not in OPEN_STATUSES
    outcome = Outcome.RETURNED if due else Outcome.SKIPPED
    if due:
        note = f"Check-in: {follow_up.note}" if follow_up.kind is FollowUpKind.CHECK_IN else None
        move_case(
            session,
            case=case,
            status=CaseStatus.OPEN,
            at=now,
            note=note,
            is_reminder=follow_up.kind is FollowUpKind.CHECK_IN,
        )
        case.returned_at = now
        case.last_activity_at = max(as_utc(case.last_activity_at), now)
    follow_up.outcome = outcome
    _record(
        session,
        case=case,
        at=now,
        payload=CaseFollowUpReturned(
            follow_up_id=follow_up.id,
            follow_up=follow_up.kind.value,
            outcome=outcome.value,
            note=follow_up.note or None,
        ),
    )
    session.flush()
    return outcome


def return_due_follow_ups(factory: sessionmaker[Session], *, now: datetime | None = None) -> list[int]:
    """The runner's hook: bring back every case whose follow-up date has come; ids of those brought back.

    Safe to run any number of times and from two runners at once: each follow-up is claimed once.
    """
    now = now or utcnow()
    with factory() as session:
        due = session.scalars(
            select(FollowUp.id)
            .where(FollowUp.done_at.is_(None), FollowUp.due_at <= now)
            .order_by(FollowUp.due_at, FollowUp.id)
            .limit(BATCH)
        ).all()
    returned = []
    for follow_up_id in due:
        try:
            with transaction(factory) as session:
                outcome = return_follow_up(session, follow_up_id=follow_up_id, now=now)
        except Exception:  # one broken row must not stop the others; it is tried again next round
            logger.exception("follow-up %s could not be returned", follow_up_id)
            continue
        if outcome is Outcome.RETURNED:
            returned.append(follow_up_id)
    return returned


# --- helpers --------------------------------------------------------------------------------------


def _due(value: datetime, *, now: datetime, field: str) -> datetime:
    problem = due_problem(value, now=now, field=field)
    if problem:
        raise InvalidInput(problem)
    return as_utc(value)


def _note(value: str, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput("note: say what to ask the customer (it was empty)")
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidInput(f"note: at most {NOTE_MAX_CHARS} characters (got {len(text)})")
    return text


def _schedule(
    session: Session,
    *,
    case: Case,
    kind: FollowUpKind,
    due_at: datetime,
    waiting_on: WaitingOn | None,
    note: str,
    actor: Actor,
    now: datetime,
) -> FollowUp:
    # one date of each kind per case: a new one replaces the old, so the case comes back once
    session.execute(
        update(FollowUp)
        .where(FollowUp.case_id == case.id, FollowUp.kind == kind, FollowUp.done_at.is_(None))
        .values(done_at=now, outcome=Outcome.REPLACED)
    )
    follow_up = FollowUp(
        brand_id=case.brand_id,
        case_id=case.id,
        kind=kind,
        waiting_on=waiting_on,
        note=note,
        due_at=due_at,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(follow_up)
    session.flush()
    payload = CaseFollowUpSet(
        follow_up_id=follow_up.id,
        follow_up=kind.value,
        due_at=due_at.isoformat(),
        waiting_on=waiting_on.value if waiting_on else None,
        note=note or None,
        api_token_id=actor.api_token_id,
    )
    _record(session, case=case, at=now, payload=payload, actor_id=actor.user_id)
    return follow_up


def _record(
    session: Session, *, case: Case, at: datetime, payload: EventPayload, actor_id: int | None = None
) -> None:
    record_event(
        session,
        brand_id=case.brand_id,
        payload=payload,
        subject_type="case",
        subject_id=case.id,
        actor_id=actor_id,
        occurred_at=at,
    )
    session.flush()
