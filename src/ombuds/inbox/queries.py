"""Reads of saved views: a person's own, and those shared with the teams they are in."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import TeamMember, User
from ombuds.inbox.models import SavedView


def list_views(session: Session, *, brand_id: int, user: User) -> list[SavedView]:
    """The views ``user`` sees in the brand: their own first, then their teams', each by name."""
    teams = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    return list(
        session.scalars(
            select(SavedView)
            .where(
                SavedView.brand_id == brand_id,
                or_(SavedView.owner_id == user.id, SavedView.team_id.in_(teams)),
            )
            .order_by(SavedView.team_id.is_not(None), SavedView.name, SavedView.id)
        )
    )


def get_view(session: Session, view_id: int, *, brand_id: int, user: User) -> SavedView | None:
    """The view, if ``user`` sees it in the brand; anyone else's is as good as missing."""
    return next(
        (view for view in list_views(session, brand_id=brand_id, user=user) if view.id == view_id), None
    )
