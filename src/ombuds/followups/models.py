"""Follow-ups of cases: a date a parked case comes back, or a check-in after it was resolved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum
from ombuds.followups.values import FollowUpKind, Outcome, WaitingOn


class FollowUp(Base):
    __tablename__ = "follow_up"
    # the runner asks "which are due and not yet done" after every round
    __table_args__ = (Index("ix_follow_up_due", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FollowUpKind] = mapped_column(str_enum(FollowUpKind))
    waiting_on: Mapped[WaitingOn | None] = mapped_column(str_enum(WaitingOn))
    note: Mapped[str] = mapped_column(String(500), default="")
    due_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
