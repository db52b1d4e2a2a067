"""Reminders for overdue tasks: once a task is past its due date, its team hears about it, once.

The runner calls ``remind_overdue_tasks`` after each round. Each task is claimed by stamping its
``reminded_at`` where it is still empty, in the same transaction as the notifications, so two
runners or a restart never remind twice, and a failed transaction leaves the task to remind again.
"Overdue" is ``due.is_overdue``: the same moment the Tasks page moves the task under *Overdue*; the
message gives the due date in the brand's time zone, as the pages do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Team, TeamMember, User
from ombuds.cases.tasks import Task, TaskStatus
from ombuds.clock import as_utc, utcnow
from ombuds.db import transaction
from ombuds.event_payloads import TaskReminded
from ombuds.events import record_event
from ombuds.notifications.actions import notify
from ombuds.routing.queries import brand_timezone
from ombuds.tasks.due import due_label

logger = logging.getLogger(__name__)

KIND = "task_overdue"


@dataclass
class ReminderRound:
    reminded: list[int] = field(default_factory=list)


def remind_overdue_tasks(factory: sessionmaker[Session], *, now: datetime | None = None) -> ReminderRound:
    """Tell each overdue open task's team members, and its person, that it is overdue; each task once."""
    now = now or utcnow()
    done = ReminderRound()
    with factory() as session:
        due = session.scalars(
            select(Task.id)
            .where(Task.status == TaskStatus.OPEN, Task.due_at <= now, Task.reminded_at.is_(None))
            .order_by(Task.due_at, Task.id)
        ).all()
    for task_id in due:
        try:
            with transaction(factory) as session:
                if remind(session, task_id=task_id, now=now):
                    done.reminded.append(task_id)
        except Exception:  # one broken task must not stop the others; it is tried again next round
            logger.exception("task %s could not be reminded", task_id)
    return done


def remind(session: Session, *, task_id: int, now: datetime) -> bool:
    """Claim the task's reminder and write it: notifications and an event on the case's timeline."""
    claimed = session.execute(
        update(Task)
        .where(
            Task.id == task_id,
            Task.status == TaskStatus.OPEN,
            Task.due_at <= now,
            Task.reminded_at.is_(None),
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False  # done, waived or reminded meanwhile
    task = session.get(Task, task_id)
    team = session.get(Team, task.team_id) if task is not None else None
    if task is None or team is None or task.due_at is None:
        return False
    members = set(
        session.scalars(
            select(TeamMember.user_id)
            .join(User, User.id == TeamMember.user_id)
            .where(TeamMember.team_id == team.id, User.is_active.is_(True))
        )
    )
    if task.assignee_id is not None:
        members.add(task.assignee_id)
    due_at = as_utc(task.due_at)
    due = due_label(due_at, timezone=brand_timezone(session, task.brand_id))
    notify(
        session,
        brand_id=task.brand_id,
        user_ids=members,
        kind=KIND,
        text=f"Overdue task for {team.name}: {task.title} (due {due}, case #{task.case_id})",
        path=f"/tasks?team={team.id}",
        now=now,
    )
    record_event(
        session,
        brand_id=task.brand_id,
        subject_type="case",
        subject_id=task.case_id,
        payload=TaskReminded(
            task_id=task.id,
            title=task.title,
            team_id=team.id,
            due_at=due_at.isoformat(),
            notified_user_ids=tuple(sorted(members)),
        ),
        occurred_at=now,
    )
    return True
