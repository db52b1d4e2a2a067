"""Reads of one person's notifications."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.notifications.models import Notification


def list_notifications(
    session: Session, *, user_id: int, brand_ids: Collection[int], limit: int = 100
) -> list[Notification]:
    """The person's notifications in the brands they may see, unread first, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.brand_id.in_(brand_ids))
            .order_by(
                Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()
            )
            .limit(limit)
        )
    )


def count_unread(session: Session, *, user_id: int, brand_ids: Collection[int]) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.brand_id.in_(brand_ids),
                Notification.read_at.is_(None),
            )
        )
        or 0
    )
