"""Sources (configured connectors) and the mentions they bring in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum

# the enums live in values.py for pure modules; re-exported for code written against the tables
from ombuds.mentions.values import Direction as Direction
from ombuds.mentions.values import Stage as Stage


class Source(Base):
    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cursor: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set while an administrator has paused fetching from it; None while it runs
    paused_at: Mapped[datetime | None]


class Mention(Base):
    """One message as received; ``raw`` keeps the payload byte for byte."""

    __tablename__ = "mention"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_mention_stage_id", "stage", "id"),
        Index("ix_mention_brand_created", "brand_id", "created_at"),
        # Threading finds the message a reply answers by brand and external id (any source).
        Index("ix_mention_brand_external", "brand_id", "external_id"),
        # with the id, a case's messages are found by the index alone: search's category: checks
        # each newest message's case for a message in the category without reading the table
        Index("ix_mention_case_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction), default=Direction.INBOUND)
    is_public: Mapped[bool] = mapped_column(default=True)
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_followers: Mapped[int | None]
    author_bio: Mapped[str | None] = mapped_column(Text)  # the profile text, where the channel gives one
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_format: Mapped[str] = mapped_column(String(16))
    stage: Mapped[Stage] = mapped_column(str_enum(Stage), default=Stage.INGESTED)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))
