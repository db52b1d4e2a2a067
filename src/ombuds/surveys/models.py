"""A satisfaction survey offered to a case's customer when the case is resolved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.db import Base, str_enum
from ombuds.surveys.values import SurveyDelivery


class Survey(Base):
    """One per case. ``subject`` and ``first_name`` are copied when offered: the public page
    reads nothing else, so it cannot show more of the customer than these two."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    first_name: Mapped[str] = mapped_column(String(100))
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    #: how the link of the current offer reached the customer; None: not sent yet (the runner sends it)
    delivery: Mapped[SurveyDelivery | None] = mapped_column(str_enum(SurveyDelivery))
    #: the outbox row that carries the link of the current offer
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("reply.id", ondelete="SET NULL"))


class SurveySetting(Base):
    """A brand's own wording of the message that carries the survey link; no row: the default wording."""

    __tablename__ = "survey_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), unique=True)
    message: Mapped[str] = mapped_column(Text)
