"""A source's polling state and health, the records it could not use, and webhook deliveries seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base

DEFAULT_EVERY_SECONDS = 300


class SourceState(Base):
    """When a source is polled next and how its polls went; written only by ``sources.actions``."""

    __tablename__ = "source_state"

    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), primary_key=True)
    every_seconds: Mapped[int] = mapped_column(default=DEFAULT_EVERY_SECONDS)
    next_poll_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    #: the newest ``created_at`` among the mentions it brought: lag is now minus this
    newest_created_at: Mapped[datetime | None]
    #: items per hour: mentions imported since ``window_started_at``, turned into a rate each hour
    window_started_at: Mapped[datetime | None]
    window_items: Mapped[int] = mapped_column(default=0)
    items_per_hour: Mapped[float | None]


class DeadLetter(Base):
    """A record a source brought that could not become a mention: kept with its payload and why."""

    __tablename__ = "dead_letter"
    # a record refetched after a crash is the same dead letter, not a second one
    __table_args__ = (
        UniqueConstraint("source_id", "digest"),
        Index("ix_dead_letter_brand_open", "brand_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    position: Mapped[int]
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_format: Mapped[str] = mapped_column(String(32))
    #: the record's values as the connector read them (None when it could not read them at all)
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    #: "retried" (it became mention ``mention_id``) or "discarded"
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mention.id", ondelete="SET NULL"))


class WebhookDelivery(Base):
    """A signature accepted within the replay window; the same signature again is a replay."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("source_id", "signature"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    signature: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(index=True)
