"""The demo's cross-team tasks: work asked of Billing, Baggage and Digital, one overdue, one done
and waiting for the agent to tell the customer what was done."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Team, User
from ombuds.accounts.queries import get_user_by_email
from ombuds.cases.lifecycle import Actor, assign_case
from ombuds.cases.models import Case, CaseStatus
from ombuds.db import transaction
from ombuds.demo.follow_ups import AGENT_EMAIL, FollowUpsSummary, everyday_cases, pick_about
from ombuds.followups.values import WaitingOn
from ombuds.tasks.actions import complete_task, create_task

MANAGER_EMAIL = "manager@larkspur.example"
#: words the subjects of the spare tasks' cases carry: Digital's (the website failing), Billing's (a fee)
ABOUT = (("website", "error"), ("fee", "charged"))


@dataclass
class TasksSummary:
    #: case id → slug of the team its open task is with
    open: dict[int, str] = field(default_factory=dict)
    overdue_case_id: int | None = None
    done_case_id: int | None = None


def _person(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    assert isinstance(user, User), f"the demo seeds {email} first"
    return user


def seed_tasks(
    factory: sessionmaker[Session],
    *,
    brand_id: int,
    now: datetime,
    follow_ups: FollowUpsSummary,
    taken: Collection[int] = (),
) -> TasksSummary:
    """Tasks on the cases parked on a refund and on the baggage team, one overdue with Digital, one done."""
    summary = TasksSummary()
    with transaction(factory) as session:
        teams = {team.slug: team for team in session.scalars(select(Team).where(Team.brand_id == brand_id))}
        ada = _person(session, AGENT_EMAIL)
        agent = Actor(ada)
        asks = {
            WaitingOn.REFUND: (
                "billing",
                "Refund the charge to the original card",
                timedelta(days=2),
            ),
            WaitingOn.TEAM: (
                "baggage",
                "Trace the bag at the transfer hub and send it on",
                timedelta(days=1),
            ),
        }
        for case_id, waiting_on in follow_ups.parked.items():
            if waiting_on not in asks:
                continue
            slug, title, due_in = asks[waiting_on]
            case = session.get(Case, case_id)
            assert case is not None
            create_task(
                session,
                case=case,
                team=teams[slug],
                title=title,
                due_at=now + due_in,
                actor=agent,
                now=now - timedelta(hours=3),
            )
            summary.open[case.id] = slug
        used = set(taken) | set(follow_ups.parked) | {follow_ups.returned_case_id or 0}
        spare = everyday_cases(session, brand_id=brand_id, status=CaseStatus.OPEN, taken=used)
        # each task is asked on a case it fits (the website's failure, a fee charged), else any
        picked: set[int] = set()
        fitting = (pick_about(spare, words, picked) or pick_about(spare, ("",), picked) for words in ABOUT)
        spare = [case for case in fitting if case is not None]
        for case in spare[:2]:
            assign_case(session, case=case, assignee=ada, actor=agent)
        if spare:
            create_task(
                session,
                case=spare[0],
                team=teams["digital"],
                title="Find out why the website fails at payment",
                description="The customer sent screenshots of the error by private message.",
                due_at=now - timedelta(hours=20),
                actor=agent,
                now=now - timedelta(days=3),
            )
            summary.open[spare[0].id] = "digital"
            summary.overdue_case_id = spare[0].id
        if len(spare) > 1:
            case = spare[1]
            task = create_task(
                session,
                case=case,
                team=teams["billing"],
                title="Refund the fee to the original card",
                due_at=now - timedelta(hours=4),
                actor=agent,
                now=now - timedelta(days=2),
            )
            complete_task(
                session,
                task=task,
                case=case,
                note="Refunded to the card; it shows within 5 working days.",
                actor=Actor(_person(session, MANAGER_EMAIL)),
                now=now - timedelta(hours=6),
            )
            summary.done_case_id = case.id
    return summary
