"""Tables of the privacy package: a brand's retention, the daily roll-up purges leave behind, erasure records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base


class RetentionPolicy(Base):
    """How long a brand keeps its messages; no row (or ``months`` None) keeps them forever."""

    __tablename__ = "retention_policy"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True)
    months: Mapped[int | None]
    last_purged_at: Mapped[datetime | None]


class DailyRollup(Base):
    """What reports need of purged rows, per brand and day (UTC), added to as rows are purged.

    One row per (day, channel, category, sentiment, priority). Message rows carry ``mentions`` with
    their category and sentiment and priority 0; case rows carry the case counts with their priority
    and empty category and sentiment. Reports add these to what the live tables still hold
    (``privacy.queries.daily_metrics``).
    """

    __tablename__ = "daily_rollup"
    __table_args__ = (UniqueConstraint("brand_id", "day", "channel", "category", "sentiment", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64), default="")
    sentiment: Mapped[str] = mapped_column(String(64), default="")
    priority: Mapped[int] = mapped_column(default=0)
    mentions: Mapped[int] = mapped_column(default=0)
    cases_opened: Mapped[int] = mapped_column(default=0)
    cases_resolved: Mapped[int] = mapped_column(default=0)
    first_responses: Mapped[int] = mapped_column(default=0)
    first_response_seconds: Mapped[int] = mapped_column(default=0)


class ErasureRecord(Base):
    """That a customer was erased: who, when, how many rows of each kind. No personal data."""

    __tablename__ = "erasure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int]  # the erased customer's former id: a number, not a person
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(
        String(200)
    )  # who asked, as shown to admins ("cli" from the command line)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
