"""Problems over JSON: create one (PR, managers, admins), list and read them, move the status, link
and unlink cases, send the fix message's drafts. Another brand's problem answers 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy.orm import Session

from ombuds.cases import queries as case_queries
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.fields import Id
from ombuds.problems import access, actions, fix_messages, proposal_actions, proposal_queries, queries
from ombuds.problems.models import Problem
from ombuds.problems.schemas import (
    BlockedDraftRead,
    CaseLink,
    CostRead,
    DraftsSent,
    ProblemCreate,
    ProblemRead,
    ProposalConfirm,
    ProposalDismiss,
    ProposalRead,
    StatusChange,
    StatusRead,
)
from ombuds.problems.values import ProblemStatus
from ombuds.web import panels
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(prefix="/problems", tags=["problems"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {
        "description": "A role that may not do this, or a session request without its X-CSRF-Token header."
    },
    404: {"description": "No such problem (or case) among the brands the caller may see."},
    409: {"description": "A status move the lifecycle does not have, or a case another problem explains."},
    422: {"description": "A field that cannot be used; the detail names it."},
}


def _problem(session: Session, problem_id: int, scope: ApiScope) -> Problem:
    problem = queries.get_problem(session, problem_id, brand_ids=scope.brand_ids)
    if problem is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no problem {problem_id}")
    return problem


def _case(session: Session, case_id: int, scope: ApiScope) -> Case:
    case = case_queries.get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return case


def read(session: Session, problem: Problem, *, cost: queries.ProblemCost | None = None) -> ProblemRead:
    """The problem as the API shows it, with its tally and customer cost."""
    if cost is None:
        rows = queries.list_problems(session, brand_id=problem.brand_id, now=utcnow(), only_ids=[problem.id])
        cost = rows[0].cost
    tally = queries.tally(session, problem)
    return ProblemRead(
        id=problem.id,
        title=problem.title,
        status=problem.status,
        owner_team_id=problem.owner_team_id,
        owner_id=problem.owner_id,
        category=problem.category,
        expected_fix_at=problem.expected_fix_at,
        fix_message=problem.fix_message,
        talking_point_id=problem.talking_point_id,
        proposal_key=problem.proposal_key,
        case_ids=queries.case_ids(session, problem.id),
        incident_ids=queries.incident_ids(session, problem.id),
        promise_ids=queries.promise_ids(session, problem.id),
        created_at=problem.created_at,
        confirmed_at=problem.confirmed_at,
        fixed_at=problem.fixed_at,
        verified_at=problem.verified_at,
        reopened_at=problem.reopened_at,
        customers_to_tell=tally.customers_to_tell,
        customers_told=tally.customers_told,
        answered=tally.answered,
        came_back=tally.came_back,
        cost=CostRead(
            cases=cost.cases,
            open_cases=cost.open_cases,
            reach=cost.reach,
            debt=cost.debt,
            days_open=cost.days_open,
        ),
    )


@router.post("", status_code=201, response_model=ProblemRead, responses=_ERRORS)
def create(body: ProblemCreate, scope: ApiReader, session: DbSession) -> ProblemRead:
    """Record a problem: a cause behind many cases, owned by the team that fixes it (PR, managers, admins)."""
    brand = scope.brand_by_slug(body.brand)
    problem = actions.create_problem(
        session,
        brand_id=brand.id,
        title=body.title,
        owner_team_id=body.owner_team_id,
        case_ids=body.case_ids,
        actor=scope.actor(session),
        now=utcnow(),
        owner_id=body.owner_id,
        expected_fix_at=body.expected_fix_at,
        fix_message=body.fix_message,
        talking_point_id=body.talking_point_id,
        category=body.category,
        incident_ids=body.incident_ids,
        promise_ids=body.promise_ids,
    )
    return read(session, problem)


@router.get("", response_model=list[ProblemRead], responses=_ERRORS)
def list_problems(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(max_length=100, description="Slug of the brand")] = None,
    owner_team_id: Annotated[Id | None, Query(description="Only the problems this team owns")] = None,
    status_: Annotated[ProblemStatus | None, Query(alias="status")] = None,
) -> list[ProblemRead]:
    """The brand's problems, costliest for its customers (experience debt, then cases) first."""
    chosen = scope.brand_by_slug(brand)
    rows = queries.list_problems(
        session,
        brand_id=chosen.id,
        now=utcnow(),
        owner_team_id=owner_team_id,
        statuses=[status_] if status_ else None,
    )
    return [read(session, row.problem, cost=row.cost) for row in rows]


@router.get("/proposals", response_model=list[ProposalRead], responses=_ERRORS)
def list_proposals(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(max_length=100, description="Slug of the brand")] = None,
) -> list[ProposalRead]:
    """What Ombuds proposes as problems now (PR, managers, admins): a growing category, an incident's
    open cases, a promise's contradictions; biggest first."""
    chosen = scope.brand_by_slug(brand)
    access.ensure_may_manage(session, actor=scope.actor(session), brand_id=chosen.id)
    return [
        ProposalRead.model_validate(proposal, from_attributes=True)
        for proposal in proposal_queries.list_proposals(session, brand_id=chosen.id, now=utcnow())
    ]


@router.post("/proposals/confirm", status_code=201, response_model=ProblemRead, responses=_ERRORS)
def confirm_proposal(
    body: ProposalConfirm,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(max_length=100, description="Slug of the brand")] = None,
) -> ProblemRead:
    """The proposal becomes a problem owned by the team, with its cases (404 when it is not proposed now)."""
    chosen = scope.brand_by_slug(brand)
    problem = proposal_actions.confirm_proposal(
        session,
        brand_id=chosen.id,
        key=body.key,
        owner_team_id=body.owner_team_id,
        actor=scope.actor(session),
        now=utcnow(),
        title=body.title,
    )
    return read(session, problem)


@router.post("/proposals/dismiss", status_code=204, responses=_ERRORS)
def dismiss_proposal(
    body: ProposalDismiss,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(max_length=100, description="Slug of the brand")] = None,
) -> None:
    """Not a problem: the proposal is not made again."""
    chosen = scope.brand_by_slug(brand)
    proposal_actions.dismiss_proposal(
        session, brand_id=chosen.id, key=body.key, actor=scope.actor(session), now=utcnow()
    )


@router.get("/{problem_id}", response_model=ProblemRead, responses=_ERRORS)
def get(problem_id: Id, scope: ApiReader, session: DbSession) -> ProblemRead:
    """One problem with its cases, its customer cost and who has been told of its fix."""
    return read(session, _problem(session, problem_id, scope))


@router.post("/{problem_id}/status", response_model=StatusRead, responses=_ERRORS)
def set_status(problem_id: Id, body: StatusChange, scope: ApiReader, session: DbSession) -> StatusRead:
    """Move the problem on (its owning team, PR, managers, admins); "fixed" drafts the fix message on
    each open or recently resolved linked case, for the agent to send or PR to approve."""
    problem = _problem(session, problem_id, scope)
    actions.set_status(
        session, problem=problem, status=body.status, note=body.note, actor=scope.actor(session), now=utcnow()
    )
    tally = queries.tally(session, problem)
    return StatusRead(
        id=problem.id,
        status=problem.status,
        customers_to_tell=tally.customers_to_tell,
        customers_told=tally.customers_told,
    )


@router.post("/{problem_id}/cases", response_model=ProblemRead, responses=_ERRORS)
def link_case(problem_id: Id, body: CaseLink, scope: ApiReader, session: DbSession) -> ProblemRead:
    """Say the problem explains this case (anyone who may work the case)."""
    problem = _problem(session, problem_id, scope)
    actions.link_case(
        session,
        problem=problem,
        case=_case(session, body.case_id, scope),
        actor=scope.actor(session),
        now=utcnow(),
    )
    return read(session, problem)


@router.delete("/{problem_id}/cases/{case_id}", response_model=ProblemRead, responses=_ERRORS)
def unlink_case(problem_id: Id, case_id: Id, scope: ApiReader, session: DbSession) -> ProblemRead:
    """The problem does not explain this case after all."""
    problem = _problem(session, problem_id, scope)
    actions.unlink_case(
        session,
        problem=problem,
        case=_case(session, case_id, scope),
        actor=scope.actor(session),
        now=utcnow(),
    )
    return read(session, problem)


@router.post("/{problem_id}/drafts/send", response_model=DraftsSent, responses=_ERRORS)
def send_drafts(problem_id: Id, scope: ApiReader, session: DbSession) -> DraftsSent:
    """Send every drafted fix message of the latest fix at once (each as the caller's reply).

    Each is checked and put to the approval policy again: the ones the policy holds now wait for
    PR (``held``), the ones the checker refuses now stay drafts (``blocked``, with why); the others go.
    """
    problem = _problem(session, problem_id, scope)
    outcome = fix_messages.send_fix_messages(session, problem=problem, actor=scope.actor(session))
    return DraftsSent(
        sent=outcome.sent,
        held=list(outcome.held),
        blocked=[
            BlockedDraftRead(reply_id=found.reply_id, case_id=found.case_id, reason=found.reason)
            for found in outcome.blocked
        ],
    )


def _case_problem(session: Session, case: Case) -> dict[str, Any]:
    return {"problem_id": queries.problem_id_of_case(session, case.id)}


panels.register_case_detail("problem", _case_problem)
