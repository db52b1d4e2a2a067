"""The weekly digest's schedule per brand, and the week it was last sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base


class DigestSchedule(Base):
    """A brand whose digest ``ombuds serve`` sends weekly; a brand without a row gets none.

    ``weekday`` (0 Monday … 6 Sunday) and ``hour`` are in the brand's time zone (its SLA policy's).
    ``recipients`` empty: the brand's admins and managers. ``last_week`` is the local Monday of
    the last week sent, claimed in the transaction that sends, so two runners send it once.
    ``failures`` sends in a row failed (SMTP down), the last with ``last_error``; none is tried
    before ``next_attempt_at``; ``last_failed_at`` is when it last failed. A sent digest clears them.
    """

    __tablename__ = "digest_schedule"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(default=0)
    hour: Mapped[int] = mapped_column(default=8)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_week: Mapped[date | None] = mapped_column(Date)
    last_sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_failed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
