"""A case's tasks: concrete work asked of another team (billing, operations, legal), the table and its status.

The table lives in the cases package, not in ``ombuds.tasks`` beside the rest of the task work,
because the case's one status writer (``actions.set_case_status``) refuses to resolve or close a
case while one of its tasks is open, and the cases package may not import a package built on it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    #: A manager released the case from the task, with a reason; the work was not done.
    WAIVED = "waived"


class Task(Base):
    __tablename__ = "case_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), default=TaskStatus.OPEN)
    due_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was done or waived, by whom, and what they wrote (what was done, or why waived).
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    #: When its team was reminded that it is past due; set once, so each task reminds once.
    reminded_at: Mapped[datetime | None]


def list_open_tasks(session: Session, *, case_id: int) -> list[Task]:
    """The case's open tasks, oldest first."""
    return list(
        session.scalars(
            select(Task)
            .where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)
            .order_by(Task.created_at, Task.id)
        )
    )
