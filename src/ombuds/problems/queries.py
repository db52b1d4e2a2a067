"""Reads of problems: one problem, a brand's list with each one's customer cost, and its tally.

The tally (customers to tell, told, answered, came back) is read from the notices, the replies'
statuses and the customers' messages as they stand, so it moves as replies go out and customers
write, with nothing to keep in step. The customer cost reuses the dashboards' experience debt
(``metrics.queries.experience_debt``: reach times age of each unresolved negative experience),
summed over the problem's cases, so the problem list and the dashboards weigh a case alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Customer
from ombuds.clock import as_utc
from ombuds.db import chunks
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Direction, Mention
from ombuds.metrics.queries import Scope, experience_debt
from ombuds.problems import rules
from ombuds.problems.models import (
    Problem,
    ProblemCase,
    ProblemIncident,
    ProblemNotice,
    ProblemPromise,
)
from ombuds.problems.values import DONE_STATUSES, RECENTLY_RESOLVED, ProblemStatus
from ombuds.responses.models import Reply, ReplyStatus


def get_problem(session: Session, problem_id: int, *, brand_ids: Collection[int]) -> Problem | None:
    """The problem, if it belongs to one of the brands; None otherwise (another brand's is "not found")."""
    problem = session.get(Problem, problem_id)
    return problem if problem is not None and problem.brand_id in brand_ids else None


def case_ids(session: Session, problem_id: int) -> list[int]:
    """The problem's cases, in the order they were linked."""
    return list(
        session.scalars(
            select(ProblemCase.case_id)
            .where(ProblemCase.problem_id == problem_id)
            .order_by(ProblemCase.linked_at, ProblemCase.case_id)
        )
    )


def incident_ids(session: Session, problem_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ProblemIncident.incident_id)
            .where(ProblemIncident.problem_id == problem_id)
            .order_by(ProblemIncident.incident_id)
        )
    )


def promise_ids(session: Session, problem_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ProblemPromise.promise_id)
            .where(ProblemPromise.problem_id == problem_id)
            .order_by(ProblemPromise.promise_id)
        )
    )


def problem_id_of_case(session: Session, case_id: int) -> int | None:
    return session.scalar(select(ProblemCase.problem_id).where(ProblemCase.case_id == case_id))


def problems_of_cases(session: Session, ids: Collection[int]) -> dict[int, int]:
    """Case id → its problem's id, for the cases that have one."""
    found: dict[int, int] = {}
    for some in chunks(sorted(ids)):
        rows = session.execute(
            select(ProblemCase.case_id, ProblemCase.problem_id).where(ProblemCase.case_id.in_(some))
        )
        found.update({int(case_id): int(problem_id) for case_id, problem_id in rows})
    return found


def category_labels(session: Session, ids: Collection[int]) -> list[str | None]:
    """The category of each customer message of the cases (for the problem's main category)."""
    if not ids:
        return []
    return list(
        session.scalars(
            select(Enrichment.label)
            .join(Mention, Mention.id == Enrichment.mention_id)
            .where(
                Mention.case_id.in_(sorted(ids)),
                Mention.direction == Direction.INBOUND,
                Enrichment.analyzer == "category",
            )
            .order_by(Mention.id)
        )
    )


def cases_to_tell(session: Session, problem: Problem, *, now: datetime) -> list[Case]:
    """The linked cases whose customer hears of the fix: open ones, and those resolved in the last
    ``RECENTLY_RESOLVED`` (values.py says why that long), oldest first."""
    recent = now - RECENTLY_RESOLVED
    cases = session.scalars(
        select(Case)
        .join(ProblemCase, ProblemCase.case_id == Case.id)
        .where(ProblemCase.problem_id == problem.id, Case.brand_id == problem.brand_id)
        .order_by(Case.opened_at, Case.id)
    )
    return [
        case
        for case in cases
        if case.status in OPEN_STATUSES
        or (
            case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
            and case.resolved_at is not None
            and as_utc(case.resolved_at) >= recent
        )
    ]


@dataclass(frozen=True, slots=True)
class Tally:
    """Of the customers of the latest fix: how many are to be told, told, answered us, came back."""

    customers_to_tell: int = 0
    customers_told: int = 0
    answered: int = 0
    came_back: int = 0


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """One customer case of the latest fix and where its message stands."""

    case_id: int
    customer_id: int
    customer_name: str
    reply_id: int | None
    reply_status: ReplyStatus | None
    #: why the brand's policy holds the message for PR, when it does
    needs_approval: str | None
    sent_at: datetime | None
    refused: str | None
    answered: bool
    came_back: bool


def _inbound_since(
    session: Session, customer_ids: Collection[int], since: datetime
) -> list[tuple[int, int, datetime]]:
    """(customer, message, when) of the customers' messages to the brand after ``since``."""
    if not customer_ids:
        return []
    return [
        (customer_id, mention_id, as_utc(at))
        for customer_id, mention_id, at in session.execute(
            select(Mention.customer_id, Mention.id, Mention.created_at).where(
                Mention.customer_id.in_(sorted(customer_ids)),
                Mention.direction == Direction.INBOUND,
                Mention.created_at > since,
            )
        )
        if customer_id is not None
    ]


def labels_of(session: Session, mention_ids: Collection[int]) -> dict[int, dict[str, str | None]]:
    """Mention id → its sentiment and category labels (a correction, written later, wins)."""
    found: dict[int, dict[str, str | None]] = defaultdict(dict)
    for some in chunks(sorted(mention_ids)):
        rows = session.execute(
            select(Enrichment.mention_id, Enrichment.analyzer, Enrichment.label)
            .where(
                Enrichment.mention_id.in_(some),
                Enrichment.analyzer.in_(("sentiment", "category")),
            )
            .order_by(Enrichment.id)
        )
        for mention_id, analyzer, label in rows:
            found[mention_id][analyzer] = label
    return found


def returned_customers(session: Session, problem: Problem) -> set[int]:
    """The problem's customers who wrote about the same issue again after its latest fix."""
    if problem.fixed_at is None:
        return set()
    customers = set(
        session.scalars(
            select(Case.customer_id)
            .join(ProblemCase, ProblemCase.case_id == Case.id)
            .where(ProblemCase.problem_id == problem.id)
        )
    )
    messages = _inbound_since(session, customers, as_utc(problem.fixed_at))
    labels = labels_of(session, [mention_id for _, mention_id, _ in messages])
    return {
        customer_id
        for customer_id, mention_id, _ in messages
        if rules.is_same_issue(
            category=labels.get(mention_id, {}).get("category"),
            sentiment=labels.get(mention_id, {}).get("sentiment"),
            problem_category=problem.category,
        )
    }


def notices(session: Session, problem: Problem) -> list[NoticeRow]:
    """The customer cases of the latest fix, oldest first, with their message's status."""
    if problem.fix_round == 0:
        return []
    rows = session.execute(
        select(ProblemNotice, Reply.status, Reply.needs_approval, Reply.sent_at, Customer.display_name)
        .outerjoin(Reply, Reply.id == ProblemNotice.reply_id)
        .join(Customer, Customer.id == ProblemNotice.customer_id)
        .where(ProblemNotice.problem_id == problem.id, ProblemNotice.fix_round == problem.fix_round)
        .order_by(ProblemNotice.id)
    ).all()
    sent = {notice.customer_id: as_utc(at) for notice, _, _, at, _ in rows if at is not None}
    earliest = min(sent.values(), default=None)
    last_word: dict[int, datetime] = {}
    if earliest is not None:
        for customer_id, _, at in _inbound_since(session, sent, earliest):
            last_word[customer_id] = max(at, last_word.get(customer_id, at))
    back = returned_customers(session, problem)
    return [
        NoticeRow(
            case_id=notice.case_id,
            customer_id=notice.customer_id,
            customer_name=name,
            reply_id=notice.reply_id,
            reply_status=status,
            needs_approval=needs_approval if status is ReplyStatus.AWAITING_APPROVAL else None,
            sent_at=as_utc(sent_at) if sent_at else None,
            refused=notice.refused,
            answered=notice.customer_id in last_word
            and last_word[notice.customer_id] > sent[notice.customer_id],
            came_back=notice.customer_id in back,
        )
        for notice, status, needs_approval, sent_at, name in rows
    ]


def tally(session: Session, problem: Problem) -> Tally:
    """Distinct customers of the latest fix: to tell, told (their message sent), answered, came back."""
    rows = notices(session, problem)
    if not rows:
        return Tally()
    return Tally(
        customers_to_tell=len({row.customer_id for row in rows}),
        customers_told=len({row.customer_id for row in rows if row.reply_status is ReplyStatus.SENT}),
        answered=len({row.customer_id for row in rows if row.answered}),
        came_back=len({row.customer_id for row in rows if row.came_back}),
    )


@dataclass(frozen=True, slots=True)
class ProblemCost:
    """What a problem costs its customers: cases, the audience they wrote to, experience debt, days open."""

    cases: int
    open_cases: int
    reach: int
    debt: float
    days_open: int


@dataclass(frozen=True, slots=True)
class ProblemRow:
    problem: Problem
    team_name: str | None
    owner_name: str | None
    cost: ProblemCost


def _costs(session: Session, problems: Sequence[Problem], *, now: datetime) -> dict[int, ProblemCost]:
    if not problems:
        return {}
    links = session.execute(
        select(ProblemCase.problem_id, Case.id, Case.status)
        .join(Case, Case.id == ProblemCase.case_id)
        .where(ProblemCase.problem_id.in_([p.id for p in problems]))
    ).all()
    by_problem: dict[int, list[tuple[int, CaseStatus]]] = defaultdict(list)
    for problem_id, case_id, status in links:
        by_problem[problem_id].append((case_id, status))
    all_cases = [case_id for _, case_id, _ in links]
    reach: dict[int, int] = {}
    for some in chunks(all_cases):
        rows = session.execute(
            select(Mention.case_id, func.max(Mention.author_followers))
            .where(
                Mention.case_id.in_(some),
                Mention.direction == Direction.INBOUND,
            )
            .group_by(Mention.case_id)
        )
        reach.update({case_id: followers or 0 for case_id, followers in rows if case_id is not None})
    debt: dict[int, float] = {}
    for brand_id in {p.brand_id for p in problems}:
        scope = Scope(brand_id=brand_id, start=now, end=now)
        debt.update({item.case_id: item.weight for item in experience_debt(session, scope)})
    found = {}
    for problem in problems:
        cases = by_problem.get(problem.id, [])
        done = problem.status in DONE_STATUSES and problem.fixed_at is not None
        until = as_utc(problem.fixed_at) if done and problem.fixed_at else now
        found[problem.id] = ProblemCost(
            cases=len(cases),
            open_cases=sum(1 for _, status in cases if status in OPEN_STATUSES),
            reach=sum(reach.get(case_id, 0) for case_id, _ in cases),
            debt=round(sum(debt.get(case_id, 0.0) for case_id, _ in cases), 1),
            days_open=max((until - as_utc(problem.created_at)).days, 0),
        )
    return found


def list_problems(
    session: Session,
    *,
    brand_id: int,
    now: datetime,
    owner_team_id: int | None = None,
    statuses: Collection[ProblemStatus] | None = None,
    only_ids: Collection[int] | None = None,
) -> list[ProblemRow]:
    """The brand's problems with their customer cost, costliest (experience debt, then cases) first."""
    query = select(Problem).where(Problem.brand_id == brand_id)
    if only_ids is not None:
        query = query.where(Problem.id.in_(sorted(only_ids)))
    if owner_team_id is not None:
        query = query.where(Problem.owner_team_id == owner_team_id)
    if statuses is not None:
        query = query.where(Problem.status.in_(list(statuses)))
    problems = list(session.scalars(query.order_by(Problem.id)))
    costs = _costs(session, problems, now=now)
    teams: dict[int, str] = dict(
        session.execute(select(Team.id, Team.name).where(Team.brand_id == brand_id)).all()
    )
    owner_ids = {p.owner_id for p in problems if p.owner_id is not None}
    owners: dict[int, str] = dict(
        session.execute(select(User.id, User.name).where(User.id.in_(sorted(owner_ids)))).all()
    )
    rows = [
        ProblemRow(
            problem=p,
            team_name=teams.get(p.owner_team_id) if p.owner_team_id else None,
            owner_name=owners.get(p.owner_id) if p.owner_id else None,
            cost=costs[p.id],
        )
        for p in problems
    ]
    return sorted(rows, key=lambda row: (-row.cost.debt, -row.cost.cases, row.problem.id))
