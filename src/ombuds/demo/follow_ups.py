"""The demo's follow-ups: cases parked until a date on what they wait for, one whose date came
this morning (so it tops the agent's inbox), and a check-in planned on a resolved case."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import User
from ombuds.accounts.queries import get_user_by_email
from ombuds.cases.lifecycle import Actor, assign_case
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.db import transaction
from ombuds.followups.actions import return_follow_up, schedule_check_in, set_pending_until
from ombuds.followups.values import WaitingOn
from ombuds.incidents.models import IncidentMention
from ombuds.mentions.models import Mention

AGENT_EMAIL = "agent@larkspur.example"

#: what a parked case waits on, words its subject carries (none: any case), and the agent's note
PARKED = (
    (
        WaitingOn.REFUND,
        ("refund", "charged"),
        timedelta(days=3),
        "Refund issued; the bank takes up to 5 working days.",
    ),
    (WaitingOn.TEAM, ("bag", "luggage"), timedelta(days=1), "Baggage tracing is searching the transfer hub."),
    (WaitingOn.CUSTOMER, ("",), timedelta(days=2), "Asked for the booking reference by private message."),
)


@dataclass
class FollowUpsSummary:
    #: case id → what it waits on, for cases parked until a date still ahead
    parked: dict[int, WaitingOn] = field(default_factory=dict)
    #: the case whose date came: open again, on top of the agent's inbox
    returned_case_id: int | None = None
    #: the resolved case with a check-in planned
    check_in_case_id: int | None = None


def everyday_cases(
    session: Session, *, brand_id: int, status: CaseStatus, taken: Collection[int]
) -> list[Case]:
    """Everyday cases of one status: not urgent, not part of the storm, not used by another story."""
    in_incident = exists().where(IncidentMention.mention_id == Mention.id, Mention.case_id == Case.id)
    query = (
        select(Case)
        .where(
            Case.brand_id == brand_id,
            Case.status == status,
            Case.priority != Priority.URGENT,
            ~in_incident,
        )
        .order_by(Case.opened_at, Case.id)
    )
    return [case for case in session.scalars(query) if case.id not in taken]


def pick_about(cases: list[Case], words: tuple[str, ...], used: set[int]) -> Case | None:
    """The first case not used yet whose subject carries one of ``words``."""
    for case in cases:
        if case.id not in used and any(word in case.subject.lower() for word in words):
            used.add(case.id)
            return case
    return None


def seed_follow_ups(
    factory: sessionmaker[Session], *, brand_id: int, now: datetime, taken: Collection[int] = ()
) -> FollowUpsSummary:
    """Park three open cases on different waits, bring one back whose date came, plan a check-in."""
    summary = FollowUpsSummary()
    with transaction(factory) as session:
        agent = get_user_by_email(session, AGENT_EMAIL)
        assert isinstance(agent, User), f"the demo seeds {AGENT_EMAIL} first"
        actor = Actor(agent)
        used: set[int] = set()
        open_cases = everyday_cases(session, brand_id=brand_id, status=CaseStatus.OPEN, taken=taken)
        for waiting_on, words, ahead, note in PARKED:
            # a case about something else parked "waiting on a refund" would read as nonsense
            case = pick_about(open_cases, words, used)
            if case is None:
                continue
            assign_case(session, case=case, assignee=agent, actor=actor)
            set_pending_until(
                session, case=case, until=now + ahead, waiting_on=waiting_on, note=note, actor=actor, now=now
            )
            summary.parked[case.id] = waiting_on
        came_back = pick_about(open_cases, ("",), used)
        if came_back is not None:
            assign_case(session, case=came_back, assignee=agent, actor=actor)
            parked_at = now - timedelta(days=2)
            follow_up = set_pending_until(
                session,
                case=came_back,
                until=now - timedelta(hours=1),
                waiting_on=WaitingOn.TEAM,
                note="Operations promised the rebooking by this morning.",
                actor=actor,
                now=parked_at,
            )
            return_follow_up(session, follow_up_id=follow_up.id, now=now - timedelta(minutes=50))
            summary.returned_case_id = came_back.id
        resolved = everyday_cases(session, brand_id=brand_id, status=CaseStatus.RESOLVED, taken=taken)
        if resolved:
            case = resolved[-1]
            schedule_check_in(
                session,
                case=case,
                at=now + timedelta(days=4),
                note="Is everything sorted now? Ask whether the fix held.",
                actor=actor,
                now=now,
            )
            summary.check_in_case_id = case.id
    return summary
