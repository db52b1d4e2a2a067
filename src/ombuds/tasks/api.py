"""Tasks over JSON: ask a team of the case's brand for something, then mark it done or waive it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status

from ombuds.accounts.models import Team, User
from ombuds.cases.queries import get_case
from ombuds.cases.tasks import TaskStatus
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput
from ombuds.fields import Count, Id
from ombuds.tasks import actions, queries
from ombuds.tasks.schemas import TaskCreate, TaskRead, TaskStatusUpdate
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(tags=["tasks"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "A viewer; for a waiver, anyone but a manager or an administrator."},
    404: {"description": "No such case, task or team among the brands the caller may see."},
    409: {"description": "The task is no longer open."},
    422: {"description": "A field that cannot be used; the detail names it."},
}


@router.get("/tasks", response_model=list[TaskRead], responses=_ERRORS)
def list_tasks(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[
        str | None, Query(description="Slug of the brand; defaults to the token's brand or the selected one.")
    ] = None,
    team_id: Annotated[Id | None, Query(description="Only tasks asked of this team of the brand.")] = None,
    status_: Annotated[
        Literal["open", "done", "waived"] | None,
        Query(alias="status", description="Only tasks in this state."),
    ] = None,
    limit: Annotated[Count, Query(ge=1, le=500)] = 100,
    offset: Annotated[Count, Query()] = 0,
) -> list[TaskRead]:
    """The brand's tasks: the soonest due first (those without a date last), then the oldest."""
    chosen = scope.brand_by_slug(brand)
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.brand_id != chosen.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no team {team_id} in brand {chosen.slug!r}")
    found = queries.list_tasks(
        session,
        brand_id=chosen.id,
        team_id=team_id,
        status=TaskStatus(status_) if status_ else None,
        limit=limit,
        offset=offset,
    )
    return [TaskRead.model_validate(task) for task in found]


@router.post("/cases/{case_id}/tasks", status_code=201, response_model=TaskRead, responses=_ERRORS)
def create_task(case_id: Id, body: TaskCreate, scope: ApiReader, session: DbSession) -> TaskRead:
    """Ask another team of the case's brand for something concrete; the case cannot be resolved meanwhile."""
    case = get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    assignee = session.get(User, body.assignee_id) if body.assignee_id is not None else None
    if body.assignee_id is not None and assignee is None:
        raise InvalidInput(f"assignee_id: no user {body.assignee_id}")
    task = actions.create_task(
        session,
        case=case,
        team=session.get(Team, body.team_id),
        title=body.title,
        description=body.description,
        due_at=body.due_at,
        assignee=assignee,
        actor=scope.actor(session),
        now=utcnow(),
    )
    return TaskRead.model_validate(task)


@router.post("/tasks/{task_id}/status", response_model=TaskRead, responses=_ERRORS)
def change_task_status(task_id: Id, body: TaskStatusUpdate, scope: ApiReader, session: DbSession) -> TaskRead:
    """Mark the task done (the note says what was done), or waive it (managers; the note is the reason)."""
    task = queries.get_task(session, task_id, brand_ids=scope.brand_ids)
    case = get_case(session, task.case_id, brand_ids=scope.brand_ids) if task is not None else None
    if task is None or case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no task {task_id}")
    actor = scope.actor(session)
    if body.status == "done":
        actions.complete_task(session, task=task, case=case, note=body.note, actor=actor, now=utcnow())
    else:
        actions.waive_task(session, task=task, case=case, reason=body.note, actor=actor, now=utcnow())
    return TaskRead.model_validate(task)
