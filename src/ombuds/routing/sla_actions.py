"""Writers of SLA policies and clocks: a manager's policy, pauses while pending, escalation on breach.

Pausing is done by moving deadlines: when a pending case is taken up again, its deadlines move by
the business time that was left when it went pending (``sla.resume_due``), so every reader of
``first_response_due_at`` / ``resolve_due_at`` (inbox, API, metrics) sees the paused clock without
knowing about pauses. The pause starts at the status change to pending and ends at the change
away from it, both read from the case's events, so a round run later still counts the right span.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Membership, Team, User
from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.clock import as_utc, utcnow
from ombuds.db import chunks, transaction
from ombuds.errors import Forbidden, InvalidInput
from ombuds.event_payloads import CaseSlaEscalated, CaseSlaResumed, EventKind
from ombuds.events import Event, record_event
from ombuds.routing import sla
from ombuds.routing.assignment_actions import move_to_team
from ombuds.routing.models import SlaClock, SlaPolicySetting
from ombuds.routing.queries import get_sla_config, get_sla_policy
from ombuds.routing.sla_alerts import alert_breach
from ombuds.routing.sla_config import Escalation, SlaConfig, policy_from_config
from ombuds.routing.sla_status import next_response_due, unanswered_since

logger = logging.getLogger(__name__)

POLICY_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
# cases whose clock runs: a pending case waits on the customer, a resolved one has stopped
RUNNING = (CaseStatus.NEW, CaseStatus.OPEN)


def set_sla_policy(
    session: Session, *, brand_id: int, config: SlaConfig, escalation: Escalation, actor: Actor
) -> SlaPolicySetting:
    """Replace the brand's SLA policy; managers and admins only. Cases routed from now on follow it."""
    role = get_role(session, user=actor.user, brand_id=brand_id) if actor.user else None
    if role not in POLICY_ROLES:
        who = actor.user.name if actor.user else "a token acting for no one"
        raise Forbidden(f"{who} may not change the SLA policy: managers and admins do")
    try:
        policy_from_config(config)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if escalation.move_to_team_id is not None:
        team = session.get(Team, escalation.move_to_team_id)
        if team is None or team.brand_id != brand_id:
            raise InvalidInput(f"move_to_team_id: no team {escalation.move_to_team_id} in this brand")
    row = session.scalar(select(SlaPolicySetting).where(SlaPolicySetting.brand_id == brand_id))
    if row is None:
        row = SlaPolicySetting(brand_id=brand_id)
        session.add(row)
    row.timezone = config.timezone
    row.hours = {day: list(windows) for day, windows in config.hours.items()}
    row.holidays = list(config.holidays)
    row.targets = {k: dict(v) for k, v in config.targets.items()}
    row.channel_targets = {c: {k: dict(v) for k, v in t.items()} for c, t in config.channel_targets.items()}
    row.near_breach_percent = config.near_breach_percent
    row.raise_priority_on_breach = escalation.raise_priority
    row.notify_managers_on_breach = escalation.notify_managers
    row.move_to_team_id = escalation.move_to_team_id
    row.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        brand_id=brand_id,
        kind=EventKind.SLA_POLICY_CHANGED,
        subject_type="brand",
        subject_id=brand_id,
        actor_id=actor.user_id,
        data={"timezone": config.timezone, "near_breach_percent": config.near_breach_percent},
    )
    return row


# --- the runner's round ---------------------------------------------------------------------------


@dataclass
class SlaRound:
    paused: list[int] = field(default_factory=list)
    resumed: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def run_sla_round(factory: sessionmaker[Session], *, now: datetime | None = None) -> SlaRound:
    """The runner's hook: start and end pauses, then escalate each new breach once.

    Safe to repeat and to run from two runners at once: a breach is claimed on the case's clock
    row before it escalates. Each case is its own transaction, so one broken case fails alone.
    """
    now = now or utcnow()
    done = SlaRound()
    with factory() as session:
        to_pause = session.scalars(
            select(Case.id)
            .outerjoin(SlaClock, SlaClock.case_id == Case.id)
            .where(Case.status == CaseStatus.PENDING, SlaClock.paused_at.is_(None))
        ).all()
        to_resume = session.scalars(
            select(Case.id)
            .join(SlaClock, SlaClock.case_id == Case.id)
            .where(Case.status != CaseStatus.PENDING, SlaClock.paused_at.is_not(None))
        ).all()
        breached = session.scalars(
            select(Case.id).where(
                Case.status.in_(RUNNING),
                or_(
                    and_(Case.first_responded_at.is_(None), Case.first_response_due_at <= now),
                    Case.resolve_due_at <= now,
                ),
            )
        ).all()
        owed = next_response_due(session, unanswered=unanswered_since(session))
        late = {case_id for case_id, due in owed.items() if due <= now}
        breached = sorted(set(breached) | late)
    try:
        with transaction(factory) as session:
            _keep_next_response_due(session, owed=owed)
    except Exception:  # the inbox's order waits for the next round; the clocks below must still run
        logger.exception("the cases' next-response deadlines could not be stored")
    for ids, step, report in (
        (to_pause, _pause, done.paused),
        (to_resume, _resume, done.resumed),
        (breached, _escalate, done.escalated),
    ):
        for case_id in ids:
            try:
                with transaction(factory) as session:
                    if step(session, case_id=case_id, now=now):
                        report.append(case_id)
            except IntegrityError:  # another runner created the clock row first; it handles the case
                continue
            except Exception:  # one broken case must not stop the others; it is tried again next round
                logger.exception("SLA clock of case %s could not be updated", case_id)
    return done


def _keep_next_response_due(session: Session, *, owed: dict[int, datetime]) -> None:
    """Store on each case when its next response is due (``owed``: every timed case a customer waits
    on, from ``next_response_due``), and clear it where none is owed any more.

    The inbox orders and shows the nearest deadline from the case itself (its index can then read
    it), so this round keeps it: a customer's new message or our reply moves it within one round of
    the runner. Only the cases whose deadline changed are loaded and written.
    """
    stored = {
        case_id: as_utc(due)
        for case_id, due in session.execute(
            select(Case.id, Case.next_response_due_at).where(Case.next_response_due_at.is_not(None))
        )
        if due is not None
    }
    changed: dict[int, datetime | None] = {case_id: None for case_id in stored if case_id not in owed}
    changed |= {case_id: due for case_id, due in owed.items() if stored.get(case_id) != as_utc(due)}
    for some in chunks(sorted(changed)):
        for case in session.scalars(select(Case).where(Case.id.in_(some))):
            case.next_response_due_at = changed[case.id]


def _clock(session: Session, case_id: int) -> SlaClock:
    clock = session.get(SlaClock, case_id)
    if clock is None:
        clock = SlaClock(case_id=case_id)
        session.add(clock)
        session.flush()
    return clock


def _last_status_change(session: Session, case: Case, *, to: CaseStatus | None = None) -> datetime | None:
    query = select(Event.occurred_at).where(
        Event.subject_type == "case", Event.subject_id == case.id, Event.kind == EventKind.CASE_STATUS_CHANGED
    )
    if to is not None:
        query = query.where(Event.data["to"].as_string() == to.value)
    moment = session.scalar(query.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(1))
    return as_utc(moment) if moment is not None else None


def _pause(session: Session, *, case_id: int, now: datetime) -> bool:
    case = session.get(Case, case_id)
    if case is None or case.status is not CaseStatus.PENDING:
        return False
    clock = _clock(session, case_id)
    if clock.paused_at is not None:
        return False
    clock.paused_at = _last_status_change(session, case, to=CaseStatus.PENDING) or now
    return True


def _resume(session: Session, *, case_id: int, now: datetime) -> bool:
    case = session.get(Case, case_id)
    clock = session.get(SlaClock, case_id)
    if case is None or clock is None or clock.paused_at is None or case.status is CaseStatus.PENDING:
        return False
    paused_at = as_utc(clock.paused_at)
    clock.paused_at = None
    if case.status not in RUNNING:  # resolved while pending: nothing left to time
        return False
    resumed_at = max(_last_status_change(session, case) or now, paused_at)
    hours = get_sla_policy(session, case.brand_id).hours

    def moved(due: datetime | None) -> datetime | None:
        if due is None:
            return None
        return sla.resume_due(hours, due=as_utc(due), paused_at=paused_at, resumed_at=resumed_at)

    if case.first_responded_at is None:
        case.first_response_due_at = moved(case.first_response_due_at)
    case.resolve_due_at = moved(case.resolve_due_at)
    record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=CaseSlaResumed(
            paused_at=paused_at.isoformat(),
            first_response_due_at=_iso(case.first_response_due_at)
            if case.first_responded_at is None
            else None,
            resolve_due_at=_iso(case.resolve_due_at),
        ),
        occurred_at=resumed_at,
    )
    return True


def breached_target(
    case: Case, *, now: datetime, next_due: datetime | None = None
) -> tuple[sla.Target, datetime] | None:
    """The deadline the case has missed: the first response while unanswered; after it, the later
    missed of the next response (``next_due``, when the customer wrote again) and the resolution,
    so a breach already escalated is not chosen again once a later one comes."""
    first_due = case.first_response_due_at
    if case.first_responded_at is None and first_due is not None and as_utc(first_due) <= now:
        return sla.Target.FIRST_RESPONSE, as_utc(first_due)
    missed = [
        (due, target)
        for target, due in (
            (sla.Target.NEXT_RESPONSE, next_due if case.first_responded_at is not None else None),
            (sla.Target.RESOLUTION, as_utc(case.resolve_due_at) if case.resolve_due_at else None),
        )
        if due is not None and due <= now
    ]
    if not missed:
        return None
    due, target = max(missed)
    return target, due


def _escalate(session: Session, *, case_id: int, now: datetime) -> bool:
    case = session.get(Case, case_id)
    if case is None or case.status not in RUNNING:
        return False
    since = unanswered_since(session, case_ids=[case_id]).get(case_id)
    next_due = next_response_due(session, unanswered={case_id: since}).get(case_id) if since else None
    missed = breached_target(case, now=now, next_due=next_due)
    if missed is None:
        return False
    target, due = missed
    _clock(session, case_id)
    # the claim: only the runner whose update changes the row escalates this deadline; a missed next
    # response is known by the message it answers, and the deadline it missed is kept beside it (the
    # priority the escalation raises would otherwise move that deadline earlier)
    column, key = (
        (SlaClock.escalated_next_since, since)
        if target is sla.Target.NEXT_RESPONSE
        else (SlaClock.escalated_due_at, due)
    )
    missed_next = {SlaClock.escalated_next_due: due} if target is sla.Target.NEXT_RESPONSE else {}
    claimed = session.execute(
        update(SlaClock)
        .where(SlaClock.case_id == case_id, or_(column.is_(None), column != key))
        .values({column: key, **missed_next})
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    _, escalation = get_sla_config(session, case.brand_id)
    previous_priority, previous_team = case.priority, case.team_id
    if escalation.raise_priority:
        case.priority = sla.raised(Priority(case.priority))
    if escalation.move_to_team_id is not None:
        team = session.get(Team, escalation.move_to_team_id)
        if team is not None and team.brand_id == case.brand_id and team.id != case.team_id:
            move_to_team(session, case=case, team=team, at=now)  # one handoff; the team's policy assigns
    managers: tuple[int, ...] = ()
    if escalation.notify_managers:
        managers = tuple(
            session.scalars(
                select(Membership.user_id)
                .join(User, User.id == Membership.user_id)
                .where(
                    Membership.brand_id == case.brand_id,
                    Membership.role == Role.MANAGER,
                    User.is_active.is_(True),
                )
                .order_by(Membership.user_id)
            )
        )
    record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=CaseSlaEscalated(
            target=target.value,
            due_at=due.isoformat(),
            previous_priority=previous_priority,
            priority=case.priority,
            previous_team_id=previous_team,
            team_id=case.team_id,
            notified_user_ids=managers,
        ),
        occurred_at=now,
    )
    alert_breach(session, case=case, target=target, due=due, user_ids=managers, now=now)
    return True


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None
