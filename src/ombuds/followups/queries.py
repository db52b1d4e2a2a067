"""Reads of follow-ups: a case's, and the one still waiting of each kind."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.followups.models import FollowUp


def list_case_follow_ups(session: Session, *, case_id: int) -> list[FollowUp]:
    """A case's follow-ups, the next due first, then those done (newest first)."""
    rows = session.scalars(select(FollowUp).where(FollowUp.case_id == case_id)).all()
    waiting = sorted((f for f in rows if f.done_at is None), key=lambda f: (f.due_at, f.id))
    done = sorted((f for f in rows if f.done_at is not None), key=lambda f: (f.due_at, f.id), reverse=True)
    return waiting + done
