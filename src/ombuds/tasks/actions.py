"""The only writers of tasks: open one on a case for another team, mark it done, or waive it.

Each change is an event on the case's own timeline, so the case shows who asked whom for what
and what came of it. Callers own the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from ombuds.accounts.models import Role, Team, User
from ombuds.accounts.queries import get_role
from ombuds.cases.lifecycle import Actor, ensure_may_be_given_work, ensure_may_work, hold_and_reread
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.cases.tasks import Task, TaskStatus
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.event_payloads import TaskDone, TaskEvent, TaskOpened, TaskWaived
from ombuds.events import record_event

#: Who may release a case from a task without the work being done.
WAIVING_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def _record(session: Session, *, task: Task, actor: Actor, payload: TaskEvent, at: datetime) -> None:
    if actor.api_token_id is not None:
        payload = payload.model_copy(update={"api_token_id": actor.api_token_id})
    record_event(
        session,
        brand_id=task.brand_id,
        payload=payload,
        subject_type="case",
        subject_id=task.case_id,
        actor_id=actor.user_id,
        occurred_at=at,
    )


def create_task(
    session: Session,
    *,
    case: Case,
    team: Team | None,
    title: str,
    description: str = "",
    due_at: datetime | None = None,
    assignee: User | None = None,
    actor: Actor,
    now: datetime,
) -> Task:
    """Ask a team of the case's brand for something concrete; the case stays open until it is done.

    ``team`` is None or of another brand → NotFound, as if it did not exist.
    """
    ensure_may_work(session, case=case, actor=actor)
    if team is None or team.brand_id != case.brand_id:
        raise NotFound("team_id: no such team in this case's brand")
    hold_and_reread(session, case)  # a resolve at the same moment must see this task, or refuse it
    if case.status not in OPEN_STATUSES:  # else a resolved case holds work nobody would see to
        raise Conflict(f"case #{case.id} is {case.status.value}: reopen it before asking a team for work")
    title = title.strip()
    if not title:
        raise InvalidInput("title: say what the team should do (it was empty)")
    if assignee is not None:
        ensure_may_be_given_work(session, user=assignee, brand_id=case.brand_id)
    task = Task(
        brand_id=case.brand_id,
        case_id=case.id,
        team_id=team.id,
        assignee_id=assignee.id if assignee else None,
        title=title,
        description=description.strip(),
        status=TaskStatus.OPEN,
        due_at=due_at,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(task)
    session.flush()
    due = due_at.isoformat() if due_at else None
    _record(
        session,
        task=task,
        actor=actor,
        payload=TaskOpened(task_id=task.id, title=task.title, team_id=team.id, due_at=due),
        at=now,
    )
    return task


def complete_task(
    session: Session, *, task: Task, case: Case, note: str, actor: Actor, now: datetime
) -> Task:
    """The team did the work: the case may be resolved once no other task is open.

    The case shows "tell the customer what was done" until a reply goes out.
    """
    ensure_may_work(session, case=case, actor=actor)
    _ensure_open(task)
    _close(session, task, status=TaskStatus.DONE, note=note.strip() or None, actor=actor, now=now)
    payload = TaskDone(task_id=task.id, title=task.title, team_id=task.team_id, note=task.note)
    _record(session, task=task, actor=actor, payload=payload, at=now)
    return task


def waive_task(session: Session, *, task: Task, case: Case, reason: str, actor: Actor, now: datetime) -> Task:
    """A manager releases the case from a task that will not be done; the reason goes on the timeline."""
    ensure_may_work(session, case=case, actor=actor)
    role = get_role(session, user=actor.user, brand_id=case.brand_id) if actor.user else None
    if role not in WAIVING_ROLES:
        who = f"{actor.user.name} is a {role.value if role else 'non-member'}" if actor.user else "a token"
        raise Forbidden(f"{who}: only a manager or an administrator of the brand may waive a task")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("note: a waiver needs a reason (it was empty)")
    _ensure_open(task)
    _close(session, task, status=TaskStatus.WAIVED, note=reason, actor=actor, now=now)
    payload = TaskWaived(task_id=task.id, title=task.title, team_id=task.team_id, reason=reason)
    _record(session, task=task, actor=actor, payload=payload, at=now)
    return task


def _ensure_open(task: Task) -> None:
    if task.status is not TaskStatus.OPEN:
        raise Conflict(f"task {task.id} is already {task.status.value}")


def _close(
    session: Session, task: Task, *, status: TaskStatus, note: str | None, actor: Actor, now: datetime
) -> None:
    """Close an open task by one conditional update: of two clicks (or two people) at once, the
    second hears it was closed already, and one event is recorded."""
    closed = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == TaskStatus.OPEN)
        .values(status=status, note=note, closed_at=now, closed_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(task)
        raise Conflict(f"task {task.id} is already {task.status.value}")
    session.refresh(task)
