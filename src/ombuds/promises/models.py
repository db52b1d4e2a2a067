"""Promises a brand makes, the examples agents give, and the mentions matched to each promise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum
from ombuds.promises.matching import ExampleKind, Stance

__all__ = [
    "KEY_MAX_CHARS",
    "NAME_MAX_CHARS",
    "ExampleKind",
    "Promise",
    "PromiseDraft",
    "PromiseDraftComment",
    "PromiseExample",
    "PromiseMatch",
    "Stance",
]


#: The longest key, and campaign, owner or label, the ``promise`` table's columns hold.
KEY_MAX_CHARS = 100
NAME_MAX_CHARS = 200


class Promise(Base):
    """A claim the brand's marketing makes, e.g. "On time, every time"."""

    __tablename__ = "promise"
    __table_args__ = (UniqueConstraint("brand_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX_CHARS))
    text: Mapped[str] = mapped_column(Text)
    campaign: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    owner: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    #: The category label that contradicts this promise (evaluation files, category hints).
    label: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromiseExample(Base):
    """A message an agent (or the YAML) says confirms, contradicts or does not concern a promise."""

    __tablename__ = "promise_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[ExampleKind] = mapped_column(str_enum(ExampleKind))
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mention.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromiseMatch(Base):
    """One mention speaking to one promise: the stance, the words that show it, the model that said so."""

    __tablename__ = "promise_match"
    __table_args__ = (
        UniqueConstraint("mention_id", "promise_id"),
        Index("ix_promise_match_promise_at", "promise_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id", ondelete="CASCADE"))
    mention_id: Mapped[int] = mapped_column(ForeignKey("mention.id", ondelete="CASCADE"), index=True)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance))
    score: Mapped[float]
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_start: Mapped[int] = mapped_column(default=0)
    evidence_end: Mapped[int] = mapped_column(default=0)
    model_version: Mapped[str] = mapped_column(String(64))
    #: When the experience happened (the mention's time), for scoring windows.
    occurred_at: Mapped[datetime]
    #: Set when an agent confirmed or set the match by hand; the stage leaves such rows alone.
    is_reviewed: Mapped[bool] = mapped_column(default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromiseDraft(Base):
    """A claim marketing or PR is thinking of making, saved with its preflight so care can comment.

    Not a promise: nothing is matched to it until someone registers it (``promise_id`` then points
    at the promise it became). ``result`` keeps the last preflight's counts and the ids of the
    voices it showed, never their words, so an erased message leaves no copy here.
    """

    __tablename__ = "promise_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    weeks: Mapped[int]
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promise.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime | None]


class PromiseDraftComment(Base):
    """What a care lead (or anyone on the desk) says about a draft claim before it is registered."""

    __tablename__ = "promise_draft_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("promise_draft.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
