"""Talking points (every edit a new version), reply templates, and news items reps may share.

A talking point is a statement PR stands behind, on an incident (its holding statement) or on a
topic (categories, keywords). Its words live in versions: an edit adds a version and never
changes an old one, so a reply can always be traced to the exact words it quoted. The current
version is the newest approved one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum


class TalkingPoint(Base):
    __tablename__ = "talking_point"
    __table_args__ = (Index("ix_talking_point_brand_incident", "brand_id", "incident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    #: set for an incident's holding statement; none for a statement on a topic
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TalkingPointVersion(Base):
    """One wording of a talking point; ``approved_at`` unset means it waits for approval."""

    __tablename__ = "talking_point_version"
    __table_args__ = (UniqueConstraint("talking_point_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    talking_point_id: Mapped[int] = mapped_column(ForeignKey("talking_point.id", ondelete="CASCADE"))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyTemplate(Base):
    """A macro: ``body`` with ``{customer_name}``, ``{case_ref}`` and ``{agent_name}``; ``variants``
    maps a channel name to its own wording (a short one for X, a longer one for email)."""

    __tablename__ = "reply_template"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    variants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    usage_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NewsKind(StrEnum):
    LAUNCH = "launch"
    OUTAGE = "outage"  # a known outage reps should not be surprised by
    GOOD_NEWS = "good_news"  # an award, a glowing review


class NewsItem(Base):
    """Something reps should know; ``may_share`` says whether they may pass it on to customers."""

    __tablename__ = "news_item"
    __table_args__ = (Index("ix_news_item_brand_valid", "brand_id", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    kind: Mapped[NewsKind] = mapped_column(str_enum(NewsKind))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    may_share: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
