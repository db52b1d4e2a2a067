"""Problems in the browser: the list with each one's customer cost and Ombuds' proposals, one
problem's page (its cases, who was told, who answered or came back, its status buttons), and the
case page's panel where an agent links the case to a problem.

Forms post, flash what happened and come back. The case page gets its part through ``web/panels.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.queries import list_teams
from ombuds.cases import queries as case_queries
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, Customer
from ombuds.cases.workflow import may_work
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.events import Event
from ombuds.fields import EARLIEST_YEAR, LATEST_YEAR, AsTyped, Id, NoNul, in_utc, parse_id
from ombuds.problems import access, actions, fix_messages, proposal_actions, queries
from ombuds.problems.models import Problem
from ombuds.problems.proposal_queries import list_proposals
from ombuds.problems.values import DONE_STATUSES, MOVES, STATUS_LABELS, ProblemStatus
from ombuds.timezones import end_of_day
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import FlashLevel, flash, render

router = APIRouter()

FormId = Annotated[str, Form(max_length=20)]
FormKey = Annotated[str, Form(max_length=200), NoNul]
FormNote = Annotated[str, AsTyped, Form(max_length=actions.NOTE_MAX_CHARS), NoNul]
FormTitle = Annotated[str, Form(max_length=actions.TITLE_MAX_CHARS), NoNul]


def _say(request: Request, session: Session, error: OmbudsError) -> None:
    session.rollback()
    text = str(error)
    flash(request, text[:1].upper() + text[1:] + ".", "error")


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def _problem_or_404(session: Session, problem_id: int, signed_in: SignedIn) -> Problem:
    problem = queries.get_problem(session, problem_id, brand_ids=signed_in.brand_ids)
    if problem is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return problem


def _id(value: str, field: str) -> int:
    found = parse_id(value)
    if found is None:
        raise InvalidInput(f"{field}: choose one (got {value[:20]!r})")
    return found


@router.get("/problems")
def list_page(
    request: Request, signed_in: CurrentUser, session: DbSession, team: str | None = None
) -> Response:
    """The brand's problems, costliest for its customers first, and what Ombuds proposes."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    now = utcnow()
    teams = list_teams(session, brand.id)
    team_id = next((t.id for t in teams if str(t.id) == team), None)
    managing = access.may_manage(signed_in.role)
    return render(
        request,
        "problems/list.html",
        {
            "rows": queries.list_problems(session, brand_id=brand.id, now=now, owner_team_id=team_id),
            "teams": teams,
            "team_id": team_id,
            "proposals": list_proposals(session, brand_id=brand.id, now=now) if managing else [],
            "may_manage": managing,
            "labels": STATUS_LABELS,
        },
        signed_in=signed_in,
    )


def _history(session: Session, problem: Problem) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.subject_type == "problem", Event.subject_id == problem.id)
            .order_by(Event.occurred_at.desc(), Event.id.desc())
            .limit(50)
        )
    )


@router.get("/problems/{problem_id}")
def problem_page(problem_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """One problem: its cost, its cases, the customers told of its fix, answered and back, its history."""
    problem = _problem_or_404(session, problem_id, signed_in)
    row = queries.list_problems(session, brand_id=problem.brand_id, now=utcnow(), only_ids=[problem.id])[0]
    ids = queries.case_ids(session, problem.id)
    cases = session.execute(
        select(Case, Customer.display_name)
        .join(Customer, Customer.id == Case.customer_id)
        .where(Case.id.in_(ids))
        .order_by(Case.opened_at, Case.id)
    ).all()
    role = signed_in.roles.get(problem.brand_id)
    return render(
        request,
        "problems/problem.html",
        {
            "page_zone": signed_in.timezone_of(session, problem.brand_id),  # its fix day is its brand's
            "problem": problem,
            "row": row,
            "cases": cases,
            "notices": queries.notices(session, problem),
            "tally": queries.tally(session, problem),
            "history": _history(session, problem),
            "labels": STATUS_LABELS,
            "moves": sorted(MOVES[problem.status], key=list(ProblemStatus).index),
            "may_move": access.may_move_status(session, problem=problem, user=signed_in.user, role=role),
            "may_work": may_work(role),
            "drafts_waiting": fix_messages.drafts_to_send(session, problem=problem),
            "is_done": problem.status in DONE_STATUSES,
            "fix_message": fix_messages.fix_message(session, problem),
            "may_edit_words": access.may_manage(role),
        },
        signed_in=signed_in,
    )


@router.post("/problems/{problem_id}/status")
def change_status(
    problem_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    status_: Annotated[str, Form(alias="status", max_length=32)] = "",
    note: FormNote = "",
) -> Response:
    """Move the problem on; "fixed" drafts the fix message to every linked customer."""
    problem = _problem_or_404(session, problem_id, signed_in)
    target = next((s for s in ProblemStatus if s.value == status_), None)
    try:
        if target is None:
            raise InvalidInput(f"status: one of {', '.join(s.value for s in ProblemStatus)}")
        changed = actions.set_status(
            session, problem=problem, status=target, note=note, actor=Actor(signed_in.user), now=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
        return _go(f"/problems/{problem.id}")
    if changed and target is ProblemStatus.FIXED:
        tally = queries.tally(session, problem)
        flash(
            request,
            f"Marked fixed: the fix message is drafted for {tally.customers_to_tell} customers; "
            "agents send it from the case or here, PR approves any the policy holds.",
            "success",
        )
    elif changed:
        flash(request, f"Now {STATUS_LABELS[target].lower()}.", "success")
    return _go(f"/problems/{problem.id}")


@router.post("/problems/{problem_id}")
def update(
    problem_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    title: FormTitle = "",
    fix_message: Annotated[str, AsTyped, Form(max_length=actions.MESSAGE_MAX_CHARS), NoNul] = "",
    expected_fix_on: Annotated[str, Form(max_length=10), NoNul] = "",
) -> Response:
    """PR edits the title and the fix message; the owning team the expected fix date."""
    problem = _problem_or_404(session, problem_id, signed_in)
    manages = access.may_manage(signed_in.roles.get(problem.brand_id))
    try:
        changed = actions.update_problem(
            session,
            problem=problem,
            actor=Actor(signed_in.user),
            now=utcnow(),
            title=title if manages else None,
            fix_message=fix_message if manages else None,
            expected_fix_at=_day(expected_fix_on, timezone=signed_in.timezone_of(session, problem.brand_id)),
        )
    except OmbudsError as error:
        _say(request, session, error)
        return _go(f"/problems/{problem.id}")
    flash(request, "Saved." if changed else "Nothing changed.", "success" if changed else "info")
    return _go(f"/problems/{problem.id}")


def _day(value: str, *, timezone: str) -> datetime | None:
    """A date field (YYYY-MM-DD) as the end of that day where the brand is (as a task's due day);
    None when empty."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"expected_fix_on: {value[:10]!r} is not a date (YYYY-MM-DD)") from None
    bounds = f"must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}"
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:  # before the end of 9999-12-31 overflows
        raise InvalidInput(f"expected_fix_on: {bounds}")
    try:
        return in_utc(end_of_day(day, timezone=timezone))
    except ValueError:  # the last day of the last year ends after it in UTC, west of Greenwich
        raise InvalidInput(f"expected_fix_on: {bounds}") from None


@router.post("/problems/{problem_id}/cases")
def link_case(
    problem_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, case_id: FormId = ""
) -> Response:
    """Link one more case (by its number) to the problem."""
    problem = _problem_or_404(session, problem_id, signed_in)
    try:
        found = _id(case_id.lstrip("#"), "case_id")
        case = case_queries.get_case(session, found, brand_ids={problem.brand_id})
        if case is None:
            raise InvalidInput(f"case_id: no case #{found} in this brand")
        actions.link_case(session, problem=problem, case=case, actor=Actor(signed_in.user), now=utcnow())
    except OmbudsError as error:
        _say(request, session, error)
        return _go(f"/problems/{problem.id}#cases")
    flash(request, f"Case #{case.id} linked.", "success")
    return _go(f"/problems/{problem.id}#cases")


@router.post("/problems/{problem_id}/drafts/send")
def send_drafts(problem_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """Send every drafted fix message of the latest fix at once, as the signed-in person's replies."""
    problem = _problem_or_404(session, problem_id, signed_in)
    try:
        outcome = fix_messages.send_fix_messages(session, problem=problem, actor=Actor(signed_in.user))
    except OmbudsError as error:
        _say(request, session, error)
        return _go(f"/problems/{problem.id}")
    for message, level in _sent_words(outcome):
        flash(request, message, level)
    return _go(f"/problems/{problem.id}#told")


def _messages(count: int) -> str:
    return f"{count} fix message" + ("" if count == 1 else "s")


def _sent_words(outcome: fix_messages.FixMessagesOutcome) -> list[tuple[str, FlashLevel]]:
    """What became of the drafts, as flashes: queued, waiting for PR (and why), not sent (and why)."""
    said: list[tuple[str, FlashLevel]] = []
    if outcome.sent or not (outcome.held or outcome.blocked):
        goes = "it goes" if len(outcome.sent) == 1 else "they go"
        said.append((f"{_messages(len(outcome.sent))} queued: {goes} out shortly.", "success"))
    if outcome.held:
        reasons = "; ".join(dict.fromkeys(reason for reason in outcome.held.values() if reason))
        wait = "waits" if len(outcome.held) == 1 else "wait"
        why = f": {reasons}" if reasons else ""
        said.append((f"{_messages(len(outcome.held))} {wait} for PR approval{why}.", "warning"))
    if outcome.blocked:
        where = "still a draft on its case" if len(outcome.blocked) == 1 else "still drafts on their cases"
        each = "; ".join(f"#{found.case_id}: {found.reason}" for found in outcome.blocked)
        said.append((f"{_messages(len(outcome.blocked))} not sent, {where}: {each}.", "error"))
    return said


@router.post("/problems/proposals/confirm")
def confirm(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    key: FormKey = "",
    owner_team_id: FormId = "",
    title: FormTitle = "",
) -> Response:
    """PR or a manager: the proposal is a problem, owned by the chosen team."""
    brand = signed_in.brand
    if brand is None:
        return _go("/problems")
    try:
        problem = proposal_actions.confirm_proposal(
            session,
            brand_id=brand.id,
            key=key,
            owner_team_id=_id(owner_team_id, "owner_team_id"),
            actor=Actor(signed_in.user),
            now=utcnow(),
            title=title,
        )
    except OmbudsError as error:
        _say(request, session, error)
        return _go("/problems")
    flash(request, f"Problem confirmed with {len(queries.case_ids(session, problem.id))} cases.", "success")
    return _go(f"/problems/{problem.id}")


@router.post("/problems/proposals/dismiss")
def dismiss(request: Request, signed_in: CurrentUser, session: DbSession, key: FormKey = "") -> Response:
    """PR or a manager: not a problem; it is not proposed again."""
    brand = signed_in.brand
    if brand is None:
        return _go("/problems")
    try:
        proposal_actions.dismiss_proposal(
            session, brand_id=brand.id, key=key, actor=Actor(signed_in.user), now=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
        return _go("/problems")
    flash(request, "Proposal dismissed.", "success")
    return _go("/problems")


# --- the case page ---------------------------------------------------------------------------------


def _case_panel(session: Session, case: Case, signed_in: SignedIn) -> dict[str, Any]:
    problem_id = queries.problem_id_of_case(session, case.id)
    problem = session.get(Problem, problem_id) if problem_id else None
    choices = (
        []
        if problem
        else list(
            session.scalars(
                select(Problem)
                .where(Problem.brand_id == case.brand_id, Problem.status.not_in(list(DONE_STATUSES)))
                .order_by(Problem.title)
                .limit(100)
            )
        )
    )
    return {"case_problem": problem, "problem_choices": choices, "problem_labels": STATUS_LABELS}


panels.register("case", "problems", _case_panel)


@router.post("/cases/{case_id}/problem")
def link_from_case(
    case_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, problem_id: FormId = ""
) -> Response:
    """An agent says which problem explains this case."""
    case = case_queries.get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        found = _id(problem_id, "problem_id")
        problem = queries.get_problem(session, found, brand_ids={case.brand_id})
        if problem is None:
            raise InvalidInput(f"problem_id: no problem {found} in this brand")
        actions.link_case(session, problem=problem, case=case, actor=Actor(signed_in.user), now=utcnow())
    except OmbudsError as error:
        _say(request, session, error)
        return _go(f"/cases/{case.id}#problem")
    flash(request, f"Linked to the problem “{problem.title}”.", "success")
    return _go(f"/cases/{case.id}#problem")


@router.post("/cases/{case_id}/problem/unlink")
def unlink_from_case(case_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The case's problem does not explain it after all."""
    case = case_queries.get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    problem_id = queries.problem_id_of_case(session, case.id)
    problem = session.get(Problem, problem_id) if problem_id else None
    if problem is not None:
        try:
            actions.unlink_case(
                session, problem=problem, case=case, actor=Actor(signed_in.user), now=utcnow()
            )
        except OmbudsError as error:
            _say(request, session, error)
    return _go(f"/cases/{case.id}#problem")
