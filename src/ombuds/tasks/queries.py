"""Reads of tasks: one task, a case's tasks, a team's queue, and whether the customer still has to be told."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.cases.models import Case
from ombuds.cases.tasks import Task, TaskStatus
from ombuds.responses.models import Reply
from ombuds.tasks.due import is_overdue


def get_task(session: Session, task_id: int, *, brand_ids: Collection[int]) -> Task | None:
    """The task, if it belongs to one of ``brand_ids``."""
    return session.scalar(select(Task).where(Task.id == task_id, Task.brand_id.in_(brand_ids)))


def list_case_tasks(session: Session, *, case_id: int) -> list[Task]:
    """Every task of the case, oldest first."""
    return list(
        session.scalars(select(Task).where(Task.case_id == case_id).order_by(Task.created_at, Task.id))
    )


def list_tasks(
    session: Session,
    *,
    brand_id: int,
    team_id: int | None = None,
    status: TaskStatus | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Task]:
    """The brand's tasks, optionally of one team or in one state: soonest due first, undated last."""
    query = select(Task).where(Task.brand_id == brand_id)
    if team_id is not None:
        query = query.where(Task.team_id == team_id)
    if status is not None:
        query = query.where(Task.status == status)
    ordered = query.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
    return list(session.scalars(ordered.limit(limit).offset(offset)))


def list_teams(session: Session, *, brand_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.brand_id == brand_id).order_by(Team.name, Team.id)))


@dataclass(frozen=True, slots=True)
class QueueItem:
    task: Task
    case_subject: str
    is_overdue: bool


@dataclass
class TeamQueue:
    """A team's tasks: open ones (overdue first, then by due date), and the recently done or waived."""

    overdue: list[QueueItem] = field(default_factory=list)
    open: list[QueueItem] = field(default_factory=list)
    done: list[QueueItem] = field(default_factory=list)


def team_queue(session: Session, *, team: Team, now: datetime, done_limit: int = 50) -> TeamQueue:
    """What the team is asked to do, as its Tasks page lists it."""
    queue = TeamQueue()
    rows = session.execute(
        select(Task, Case.subject)
        .join(Case, Case.id == Task.case_id)
        .where(Task.team_id == team.id, Task.status == TaskStatus.OPEN)
        .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
    )
    for task, subject in rows:
        overdue = is_overdue(task.due_at, now=now)
        (queue.overdue if overdue else queue.open).append(QueueItem(task, subject or "", overdue))
    closed = session.execute(
        select(Task, Case.subject)
        .join(Case, Case.id == Task.case_id)
        .where(Task.team_id == team.id, Task.status != TaskStatus.OPEN)
        .order_by(Task.closed_at.desc(), Task.id.desc())
        .limit(done_limit)
    )
    queue.done = [QueueItem(task, subject or "", False) for task, subject in closed]
    return queue


def cases_to_tell(session: Session, *, case_ids: Collection[int]) -> set[int]:
    """The cases whose latest done task came after their latest reply sent: the customer is owed an answer."""
    if not case_ids:
        return set()
    done = (
        select(Task.case_id, func.max(Task.closed_at).label("done_at"))
        .where(Task.case_id.in_(case_ids), Task.status == TaskStatus.DONE)
        .group_by(Task.case_id)
        .subquery()
    )
    replied = (
        select(Reply.case_id, func.max(Reply.sent_at).label("sent_at"))
        # the survey link is the desk asking, not the answer about what was done
        .where(Reply.case_id.in_(case_ids), Reply.sent_at.is_not(None), Reply.is_survey.is_(False))
        .group_by(Reply.case_id)
        .subquery()
    )
    rows = session.execute(
        select(done.c.case_id)
        .outerjoin(replied, replied.c.case_id == done.c.case_id)
        .where((replied.c.sent_at.is_(None)) | (replied.c.sent_at < done.c.done_at))
    )
    return {case_id for (case_id,) in rows}
