"""The append-only event log: every change, who made it and when. Source of audit and metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base
from ombuds.event_payloads import EventKind, EventPayload


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_brand_kind_at", "brand_id", "kind", "occurred_at"),
        Index("ix_event_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_event(
    session: Session,
    *,
    brand_id: int,
    subject_type: str,
    subject_id: int,
    kind: EventKind | str | None = None,
    payload: EventPayload | None = None,
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append one event; the caller's transaction decides whether it lands.

    A typed ``payload`` gives the kind and the data; kinds without a payload type pass both.
    """
    if payload is not None:
        if data is not None or (kind is not None and kind != payload.kind):
            raise TypeError("record_event: pass a payload or a kind with data, not both")
        kind, data = payload.kind, payload.to_data()
    if kind is None:
        raise TypeError("record_event: an event needs a kind or a payload")
    event = Event(
        brand_id=brand_id,
        kind=str(kind),
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        data=data or {},
        occurred_at=occurred_at or utcnow(),
    )
    session.add(event)
    return event
