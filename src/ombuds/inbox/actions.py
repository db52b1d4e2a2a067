"""The writers of saved views. A view is a name and an inbox query; it changes no case, so it
records no case event. Callers own the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Role, Team, TeamMember, User
from ombuds.accounts.queries import get_role
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.inbox.models import SavedView
from ombuds.inbox.queries import list_views
from ombuds.inbox.values import NAME_MAX_CHARS, QUERY_MAX_CHARS, clean_query

#: Roles that may share a view with a team they are not in, and remove any team's view.
TEAM_LEADS = frozenset({Role.ADMIN, Role.MANAGER})


def _is_member(session: Session, *, team: Team, user: User) -> bool:
    found = session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    return found is not None


def create_view(
    session: Session, *, brand_id: int, user: User, name: str, query: str, team: Team | None = None
) -> SavedView:
    """Save an inbox query under a name, for ``user`` alone or for every member of ``team``."""
    role = get_role(session, user=user, brand_id=brand_id)
    if role is None:
        raise NotFound("no such brand")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("name: give the view a name, such as “my urgent”")
    if len(name) > NAME_MAX_CHARS:
        raise InvalidInput(f"name: at most {NAME_MAX_CHARS} characters (got {len(name)})")
    if len(query) > QUERY_MAX_CHARS:
        raise InvalidInput(f"query: at most {QUERY_MAX_CHARS} characters (got {len(query)})")
    if team is not None:
        if team.brand_id != brand_id:
            raise InvalidInput(f"team_id: no team {team.id} in this brand")
        if role not in TEAM_LEADS and not _is_member(session, team=team, user=user):
            raise Forbidden(f"only members of {team.name}, managers and admins share views with it")
    taken = {
        (view.name.casefold(), view.team_id) for view in list_views(session, brand_id=brand_id, user=user)
    }
    if (name.casefold(), team.id if team else None) in taken:
        raise Conflict(f"name: there is a view called “{name}” already")
    view = SavedView(
        brand_id=brand_id,
        owner_id=None if team else user.id,
        team_id=team.id if team else None,
        name=name,
        query=clean_query(query),
        created_by_id=user.id,
    )
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, *, view: SavedView, user: User) -> None:
    """Remove a view: one's own, a team view one made, or any team's view as its manager or admin."""
    is_theirs = user.id in (view.owner_id, view.created_by_id)
    if not is_theirs and get_role(session, user=user, brand_id=view.brand_id) not in TEAM_LEADS:
        raise Forbidden("a team's view is removed by whoever made it, a manager or an admin")
    session.delete(view)
    session.flush()
