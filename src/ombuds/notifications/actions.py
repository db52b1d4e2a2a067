"""The only writers of notifications: tell people something, mark what they have read, and settle
what is done.

Callers own the transaction and decide once-only (a claimed row, a stamped task), so these
functions simply write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from ombuds.notifications.models import Notification


def notify(
    session: Session,
    *,
    brand_id: int,
    user_ids: Iterable[int],
    kind: str,
    text: str,
    path: str,
    now: datetime,
) -> list[Notification]:
    """One notification for each person (each once, however often listed)."""
    rows = [
        Notification(
            brand_id=brand_id, user_id=user_id, kind=kind, text=text[:500], path=path, created_at=now
        )
        for user_id in sorted(set(user_ids))
    ]
    session.add_all(rows)
    session.flush()
    return rows


def mark_all_read(session: Session, *, user_id: int, brand_ids: Iterable[int], now: datetime) -> int:
    """The person has seen their notifications; returns how many were unread."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.brand_id.in_(list(brand_ids)),
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def settle(session: Session, *, kind: str, path: str, now: datetime) -> int:
    """What everyone was told of under ``kind`` at ``path`` is done (a reply to post was posted or
    withdrawn): their unread notifications of it are read, so none asks for work that is over."""
    result = session.execute(
        update(Notification)
        .where(Notification.kind == kind, Notification.path == path, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
