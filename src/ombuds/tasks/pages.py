"""Tasks in the browser: the case page's panel and its forms, and each team's Tasks page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.accounts.queries import get_role
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.cases.queries import get_case
from ombuds.cases.tasks import Task
from ombuds.cases.workflow import may_work
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.fields import EARLIEST_YEAR, LATEST_YEAR, AsTyped, Id, NoNul, parse_id
from ombuds.problems.queries import list_problems
from ombuds.problems.values import OPEN_PROBLEM_STATUSES, STATUS_LABELS
from ombuds.routing.assignment_queries import teams_of
from ombuds.routing.queries import brand_timezone
from ombuds.tasks import actions, queries
from ombuds.tasks.due import due_label, is_overdue
from ombuds.tasks.schemas import TEXT_MAX_CHARS, TITLE_MAX_CHARS
from ombuds.timezones import end_of_day
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()


def case_panel(session: Session, case: Case, signed_in: SignedIn) -> dict[str, Any]:
    """The case's tasks, the teams it can ask, and whether the customer still has to hear what was done."""
    role = get_role(session, user=signed_in.user, brand_id=case.brand_id)
    tasks = queries.list_case_tasks(session, case_id=case.id)
    teams = queries.list_teams(session, brand_id=case.brand_id)
    timezone = brand_timezone(session, case.brand_id)
    now = utcnow()
    return {
        "case_tasks": tasks,
        "task_timezone": timezone,
        "task_due": _due_labels(tasks, timezone=timezone),
        "overdue_task_ids": {task.id for task in tasks if is_overdue(task.due_at, now=now)},
        "task_teams": teams,
        "task_team_names": {team.id: team.name for team in teams},
        "may_work_tasks": may_work(role),
        "may_waive_tasks": role in actions.WAIVING_ROLES,
        "tell_customer": case.id in queries.cases_to_tell(session, case_ids=[case.id]),
        "now": now,
    }


def inbox_panel(session: Session, case_ids: list[int], signed_in: SignedIn) -> dict[str, Any]:
    """Which listed cases owe the customer word of what another team did."""
    return {"cases_to_tell": queries.cases_to_tell(session, case_ids=case_ids)}


panels.register("case", "tasks", case_panel)
panels.register("inbox", "tasks", inbox_panel)


def _say(request: Request, session: Session, error: OmbudsError) -> None:
    session.rollback()
    text = str(error)
    flash(request, text[:1].upper() + text[1:] + ".", "error")


def _due_labels(tasks: Iterable[Task], *, timezone: str) -> dict[int, str]:
    """Each dated task's due date as the brand reads it, by task id."""
    return {task.id: due_label(task.due_at, timezone=timezone) for task in tasks if task.due_at is not None}


def _due(value: str, *, timezone: str) -> datetime | None:
    """A due date from the form's date field: the end of that day in the brand's time zone."""
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"due: {value!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:  # before the arithmetic, which year 9999 overflows
        raise InvalidInput(f"due: must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return end_of_day(day, timezone=timezone)


@router.post("/cases/{case_id}/tasks")
def create(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    team_id: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=TITLE_MAX_CHARS), NoNul] = "",
    description: Annotated[str, AsTyped, Form(max_length=TEXT_MAX_CHARS), NoNul] = "",
    due: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Ask another team for something from the case page."""
    case = get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    chosen = parse_id(team_id)
    try:
        task = actions.create_task(
            session,
            case=case,
            team=session.get(Team, chosen) if chosen is not None else None,
            title=title,
            description=description,
            due_at=_due(due, timezone=brand_timezone(session, case.brand_id)),
            actor=Actor(signed_in.user),
            now=utcnow(),
        )
    except OmbudsError as error:
        _say(request, session, error)
    else:
        team = session.get(Team, task.team_id)
        flash(request, f"Task for {team.name if team else 'the team'}: {task.title}.", "success")
    return RedirectResponse(f"/cases/{case.id}#tasks", status_code=303)


def _task_and_case(session: Session, task_id: int, signed_in: SignedIn) -> tuple[Task, Case]:
    task = queries.get_task(session, task_id, brand_ids=signed_in.brand_ids)
    case = get_case(session, task.case_id, brand_ids=signed_in.brand_ids) if task is not None else None
    if task is None or case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return task, case


def _back(next_: str, task: Task) -> RedirectResponse:
    # Only the two pages that show task forms; anything else could send people off the site.
    target = f"/tasks?team={task.team_id}" if next_ == "tasks" else f"/cases/{task.case_id}#tasks"
    return RedirectResponse(target, status_code=303)


@router.post("/tasks/{task_id}/done")
def done(
    task_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    note: Annotated[str, AsTyped, Form(max_length=TEXT_MAX_CHARS), NoNul] = "",
    next_: Annotated[str, Form(alias="next", max_length=10)] = "",
) -> Response:
    """The team did what was asked; the case's owner sees it on the case and in the inbox."""
    task, case = _task_and_case(session, task_id, signed_in)
    try:
        actions.complete_task(
            session, task=task, case=case, note=note, actor=Actor(signed_in.user), now=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
    else:
        flash(request, f"Done: {task.title}. The case's owner will tell the customer.", "success")
    return _back(next_, task)


@router.post("/tasks/{task_id}/waive")
def waive(
    task_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    reason: Annotated[str, Form(max_length=TEXT_MAX_CHARS), NoNul] = "",
    next_: Annotated[str, Form(alias="next", max_length=10)] = "",
) -> Response:
    """A manager releases the case from the task, saying why."""
    task, case = _task_and_case(session, task_id, signed_in)
    try:
        actions.waive_task(
            session, task=task, case=case, reason=reason, actor=Actor(signed_in.user), now=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
    else:
        flash(request, f"Waived: {task.title}.", "success")
    return _back(next_, task)


@router.get("/tasks")
def tasks_page(
    request: Request, signed_in: CurrentUser, session: DbSession, team: str | None = None
) -> Response:
    """One team's queue: overdue, open and done tasks; when none is chosen, the first team the person
    is in (the first of the brand's for someone in none)."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    teams = queries.list_teams(session, brand_id=brand.id)
    own = {t.id for t in teams_of(session, brand_id=brand.id, user_id=signed_in.user.id)}
    default = next((t for t in teams if t.id in own), teams[0] if teams else None)
    chosen = next((t for t in teams if str(t.id) == team), default)
    now = utcnow()
    queue = queries.team_queue(session, team=chosen, now=now) if chosen else None
    timezone = brand_timezone(session, brand.id)
    listed = [item.task for items in (queue.overdue, queue.open) for item in items] if queue else []
    return render(
        request,
        "tasks/queue.html",
        {
            "teams": teams,
            "team": chosen,
            "queue": queue,
            "task_due": _due_labels(listed, timezone=timezone),
            "may_work_tasks": may_work(signed_in.role),
            "may_waive_tasks": signed_in.role in actions.WAIVING_ROLES,
            # the causes this team owns, with what they cost customers (problems.queries)
            "rows": list_problems(
                session, brand_id=brand.id, now=now, owner_team_id=chosen.id, statuses=OPEN_PROBLEM_STATUSES
            )
            if chosen
            else [],
            "labels": STATUS_LABELS,
        },
        signed_in=signed_in,
    )
