"""What analysis adds to a mention, stamped with the analyzer and model version."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Dialect,
    ForeignKey,
    Index,
    LargeBinary,
    ScalarSelect,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, QueryableAttribute, mapped_column
from sqlalchemy.types import TypeDecorator

from ombuds.clock import utcnow
from ombuds.db import Base


class FindingData(TypeDecorator[dict[str, Any]]):
    """A finding's JSON, read back by orjson on SQLite: eight times the standard library's speed on
    findings, and routing reads every message's mood of a case again for each new one. The
    analysis writes it with orjson, so nothing orjson reads otherwise (an integer past 64 bits) is
    in it; what a person's correction wrote with the standard library (a NaN) is read by that."""

    impl = JSON
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_text(value: Any) -> Any:
            if not isinstance(value, str | bytes):
                return value
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                return json.loads(value)

        return from_text


class Enrichment(Base):
    __tablename__ = "enrichment"
    __table_args__ = (
        # also finds a mention's findings: an index of mention_id alone would only slow each write
        UniqueConstraint("mention_id", "analyzer"),
        # search's category: finds a label's messages from the index alone; and a brand's findings
        Index("ix_enrichment_brand_analyzer_label", "brand_id", "analyzer", "label", "mention_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    mention_id: Mapped[int] = mapped_column(ForeignKey("mention.id", ondelete="CASCADE"))
    analyzer: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float | None]
    data: Mapped[dict[str, Any]] = mapped_column(FindingData, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def finding_of(
    analyzer: str, column: Any, mention_id: ColumnElement[int] | QueryableAttribute[int]
) -> ScalarSelect[Any]:
    """One column of a message's finding from ``analyzer``, as a column of the message's own row:
    a lookup through the ``(mention_id, analyzer)`` key, so a read of messages gets one row a
    message where a join gets one a finding."""
    return (
        select(column)
        .where(Enrichment.mention_id == mention_id, Enrichment.analyzer == analyzer)
        .scalar_subquery()
    )


class LabeledExample(Base):
    """A text with the label a person gave it: an agent's correction or an imported training row.

    The brand's models learn from these (``ombuds train``, and at once after a correction).
    """

    __tablename__ = "labeled_example"
    __table_args__ = (Index("ix_labeled_example_brand_analyzer", "brand_id", "analyzer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    analyzer: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    mention_id: Mapped[int | None] = mapped_column(ForeignKey("mention.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(200))  # "correction" or "import:<file name>"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BrandModel(Base):
    """A brand's own trained head for one analyzer: weights as ``.npz`` bytes, stamped with a version."""

    __tablename__ = "brand_model"
    __table_args__ = (UniqueConstraint("brand_id", "analyzer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    analyzer: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    example_count: Mapped[int]
    last_example_id: Mapped[int | None]  # with example_count, tells whether newer examples wait
    weights: Mapped[bytes] = mapped_column(LargeBinary)
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnalysisPass(Base):
    """What one reading path read of a brand's mentions in one minute, and the seconds it took.

    Each enrich batch (and each re-read batch) adds to its minute's row, so the table stays small;
    ``enrichment.paths`` turns the recent rows into each path's speed and share of mentions.
    """

    __tablename__ = "analysis_pass"
    __table_args__ = (
        UniqueConstraint("brand_id", "minute", "path"),
        Index("ix_analysis_pass_minute", "minute"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    minute: Mapped[datetime]
    path: Mapped[str] = mapped_column(String(16))  # accurate, fast or reread
    mentions: Mapped[int]
    seconds: Mapped[float]


class RereadWaiting(Base):
    """A mention the fast path read in a burst while its brand had an accurate model.

    The accurate model re-reads it once calm returns (``pipeline.reread``), and the row goes in the
    same transaction; only what waits is here, so finding the next batch reads nothing else.
    """

    __tablename__ = "reread_waiting"
    __table_args__ = (Index("ix_reread_waiting_brand_mention", "brand_id", "mention_id"),)

    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    read_at: Mapped[datetime]  # when the fast path read it
