"""The demo's problems: one still being fixed by Digital (a team outside care), and one Baggage
fixed whose customers were told, each through the problems' own writers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Team, User
from ombuds.accounts.queries import get_user_by_email
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.db import transaction
from ombuds.demo.outbox import AGENT_EMAIL, deliver_and_post
from ombuds.enrichment.models import Enrichment
from ombuds.incidents.models import IncidentMention
from ombuds.mentions.models import Direction, Mention
from ombuds.problems import actions
from ombuds.problems.values import ProblemStatus
from ombuds.responses import actions as replies
from ombuds.responses.models import Reply

PR_EMAIL = "pr@larkspur.example"

#: (preferred category, team slug, title) of the problem being fixed and of the one fixed
OPEN = ("Flight Booking Problems", "digital", "Android app check-in fails at the payment step")
FIXED = ("Lost Luggage", "baggage", "Bags of tight connections left behind at the hub")
FIX_MESSAGE = (
    "Hi {customer_name}, an update on your bag: we found why bags of tight connections were left "
    "behind at our hub and fixed it this week. Thank you for telling us. (Ref {case_ref})"
)
CASES_EACH = 4


@dataclass
class ProblemsSummary:
    open_problem_id: int | None = None
    fixed_problem_id: int | None = None
    told: list[int] = field(default_factory=list)  # cases whose customer was told of the fix


def _person(session: Session, email: str) -> User:
    user = get_user_by_email(session, email)
    assert isinstance(user, User), f"the demo seeds {email} first"
    return user


def _quiet_cases(session: Session, *, brand_id: int, skip: Collection[int]) -> dict[str, list[int]]:
    """Category → cases open or resolved, not urgent, outside any storm, unanswered, not in another story."""
    first = (
        select(Mention.case_id, func.min(Mention.id).label("mention_id"))
        .where(Mention.brand_id == brand_id, Mention.direction == Direction.INBOUND)
        .group_by(Mention.case_id)
        .subquery()
    )
    in_incident = exists().where(IncidentMention.mention_id == Mention.id, Mention.case_id == Case.id)
    answered = exists().where(Reply.case_id == Case.id)
    rows = session.execute(
        select(Case.id, Enrichment.label)
        .join(first, first.c.case_id == Case.id)
        .join(Enrichment, Enrichment.mention_id == first.c.mention_id)
        .where(
            Case.brand_id == brand_id,
            Case.status.in_([CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.RESOLVED]),
            Case.priority != Priority.URGENT,
            Enrichment.analyzer == "category",
            Enrichment.label.is_not(None),
            ~in_incident,
            ~answered,
        )
        .order_by(Case.opened_at, Case.id)
    ).all()
    found: dict[str, list[int]] = defaultdict(list)
    for case_id, label in rows:
        if case_id not in skip and label:
            found[label].append(case_id)
    return found


def _choose(
    by_category: dict[str, list[int]], preferred: str, *, not_: str | None = None
) -> tuple[str, list[int]]:
    if len(by_category.get(preferred, [])) >= 2:
        return preferred, by_category[preferred][:CASES_EACH]
    others = sorted((c for c in by_category if c != not_), key=lambda c: (-len(by_category[c]), c))
    return (others[0], by_category[others[0]][:CASES_EACH]) if others else (preferred, [])


def seed_problems(
    factory: sessionmaker[Session], *, brand_id: int, now: datetime, skip: Collection[int] = ()
) -> ProblemsSummary:
    """Two problems: Digital's in progress with a fix date, Baggage's fixed with its customers told."""
    summary = ProblemsSummary()
    with transaction(factory) as session:
        teams = {team.slug: team for team in session.scalars(select(Team).where(Team.brand_id == brand_id))}
        pr, agent = Actor(_person(session, PR_EMAIL)), Actor(_person(session, AGENT_EMAIL))
        by_category = _quiet_cases(session, brand_id=brand_id, skip=skip)
        open_category, open_cases = _choose(by_category, OPEN[0])
        fixed_category, fixed_cases = _choose(by_category, FIXED[0], not_=open_category)
        fixed_cases = [c for c in fixed_cases if c not in open_cases]
        being_fixed = actions.create_problem(
            session,
            brand_id=brand_id,
            title=OPEN[2],
            owner_team_id=teams[OPEN[1]].id,
            case_ids=open_cases,
            actor=pr,
            now=now - timedelta(days=2),
            category=open_category,
            expected_fix_at=now + timedelta(days=1),
        )
        actions.set_status(
            session,
            problem=being_fixed,
            status=ProblemStatus.FIX_IN_PROGRESS,
            note="Payment SDK rollback in review",
            actor=pr,
            now=now - timedelta(hours=20),
        )
        fixed = actions.create_problem(
            session,
            brand_id=brand_id,
            title=FIXED[2],
            owner_team_id=teams[FIXED[1]].id,
            case_ids=fixed_cases,
            actor=pr,
            now=now - timedelta(days=6),
            category=fixed_category,
            fix_message=FIX_MESSAGE,
        )
        actions.set_status(
            session,
            problem=fixed,
            status=ProblemStatus.FIXED,
            note="Transfer times at the hub re-planned",
            actor=pr,
            now=now - timedelta(hours=3),
        )
        for reply_id in actions.drafts_to_send(session, problem=fixed):
            reply = session.get(Reply, reply_id)
            case = session.get(Case, reply.case_id) if reply else None
            if (
                reply is not None
                and case is not None
                and replies.send_draft(session, reply=reply, case=case, actor=agent)
            ):
                summary.told.append(case.id)
        summary.open_problem_id, summary.fixed_problem_id = being_fixed.id, fixed.id
    deliver_and_post(factory)
    return summary
