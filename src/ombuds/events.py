"""The append-only event log: every change, who made it and when. Source of audit and metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Table, insert
from sqlalchemy import event as hooks
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
    held: list[dict[str, Any]] | None = session.info.get(_HELD)
    if held is None:
        session.add(event)
    else:
        held.append({column: getattr(event, column) for column in _COLUMNS})
    return event


_HELD = "ombuds.events.held"
_COLUMNS = ("brand_id", "kind", "subject_type", "subject_id", "actor_id", "data", "occurred_at")


@contextmanager
def events_together(session: Session) -> Iterator[None]:
    """Within it, the events recorded on ``session`` are written together, in the order they were
    recorded, at the session's next flush or when it ends: one multi-row INSERT instead of one
    INSERT each (on SQLite the unit of work inserts rows whose ids it needs back one at a time).

    The same rows with the same ids (they are written when the unit of work would have flushed
    them, in the same order); ``record_event`` answers an object that is not the stored row, so
    a caller within must not need the event's id. For the pipeline's batch writers (threading,
    routing), which record thousands of events a batch and read none of them back.
    """
    if session.info.get(_HELD) is not None:
        yield
        return
    session.info[_HELD] = []
    hooks.listen(session, "before_flush", _write_held)
    try:
        yield
        _write_held(session)
    finally:
        hooks.remove(session, "before_flush", _write_held)
        session.info.pop(_HELD, None)


def _write_held(session: Session, *_: object) -> None:
    held: list[dict[str, Any]] | None = session.info.get(_HELD)
    if held:
        session.info[_HELD] = []
        session.execute(insert(_EVENT), held)


_EVENT: Table = Event.__table__  # type: ignore[assignment]
