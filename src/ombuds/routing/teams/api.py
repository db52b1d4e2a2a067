"""Team members, assignment policies and availability over JSON (reading: anyone of the brand;
writing: managers and admins; anyone who works cases sets their own availability)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Team, User
from ombuds.accounts.queries import get_role
from ombuds.clock import utcnow
from ombuds.fields import Id
from ombuds.routing import assignment_actions as actions
from ombuds.routing.assignment_queries import TeamMemberRow, list_team_members, open_case_loads
from ombuds.routing.teams.schemas import (
    AvailabilityRead,
    TeamAssignmentRead,
    TeamAssignmentWrite,
    TeamMemberAdd,
    TeamMemberRead,
    WorkProfileWrite,
)
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(tags=["assignment"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {
        "description": "Writing takes the manager or admin role (one's own availability: any working role)."
    },
    404: {"description": "No such team or person in a brand the caller may see."},
    422: {"description": "A field cannot be used; the detail names it."},
}

BrandQuery = Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")]


def _team(session: Session, brand: Brand, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None or team.brand_id != brand.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no team {team_id} in {brand.name}")
    return team


def _person(session: Session, brand: Brand, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or get_role(session, user=user, brand_id=brand.id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no person {user_id} in {brand.name}")
    return user


def _read(row: TeamMemberRow) -> TeamMemberRead:
    return TeamMemberRead(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=row.role,
        load=row.load,
        capacity=row.capacity,
        languages=row.languages,
        channels=row.channels,
        categories=row.categories,
        away=row.is_away,
        away_since=row.away_since,
    )


@router.get("/teams/{team_id}/members", response_model=list[TeamMemberRead], responses=_ERRORS)
def list_members(
    team_id: Id, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> list[TeamMemberRead]:
    """The team's members by name, with their open cases, capacity, skills and availability."""
    team = _team(session, scope.brand_by_slug(brand), team_id)
    return [_read(row) for row in list_team_members(session, team)]


@router.post("/teams/{team_id}/members", status_code=201, response_model=TeamMemberRead, responses=_ERRORS)
def add_member(
    team_id: Id, body: TeamMemberAdd, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> TeamMemberRead:
    """Put a person of the brand in the team (a person may be in several teams)."""
    chosen = scope.brand_by_slug(brand)
    team = _team(session, chosen, team_id)
    user = _person(session, chosen, body.user_id)
    actions.add_team_member(session, team=team, user=user, actor=scope.actor(session), at=utcnow())
    return next(_read(row) for row in list_team_members(session, team) if row.user_id == user.id)


@router.delete("/teams/{team_id}/members/{user_id}", status_code=204, responses=_ERRORS)
def remove_member(
    team_id: Id, user_id: Id, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> Response:
    """Take a person out of the team; the cases they have stay theirs."""
    chosen = scope.brand_by_slug(brand)
    team = _team(session, chosen, team_id)
    user = _person(session, chosen, user_id)
    if not actions.remove_team_member(session, team=team, user=user, actor=scope.actor(session), at=utcnow()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{user.name} is not a member of {team.name}")
    return Response(status_code=204)


@router.put("/teams/{team_id}/assignment", response_model=TeamAssignmentRead, responses=_ERRORS)
def put_assignment(
    team_id: Id, body: TeamAssignmentWrite, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> TeamAssignmentRead:
    """How the team gives out cases routed to it: manual, round_robin or least_loaded."""
    team = _team(session, scope.brand_by_slug(brand), team_id)
    actions.set_team_assignment(
        session, team=team, policy=body.assignment, actor=scope.actor(session), at=utcnow()
    )
    return TeamAssignmentRead(id=team.id, name=team.name, assignment=team.assignment)


@router.put("/people/{user_id}/work-profile", response_model=TeamMemberRead, responses=_ERRORS)
def put_work_profile(
    user_id: Id, body: WorkProfileWrite, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> TeamMemberRead:
    """A person's capacity (most open cases; null: no limit) and skills (languages, channels, categories)."""
    chosen = scope.brand_by_slug(brand)
    user = _person(session, chosen, user_id)
    membership = actions.set_work_profile(
        session,
        brand_id=chosen.id,
        user=user,
        profile=actions.WorkProfile(
            capacity=body.capacity,
            languages=tuple(body.languages),
            channels=tuple(body.channels),
            categories=tuple(body.categories),
        ),
        actor=scope.actor(session),
        at=utcnow(),
    )
    loads = open_case_loads(session, brand_id=chosen.id, user_ids=[user.id])
    return TeamMemberRead(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=membership.role,
        load=loads.get(user.id, 0),
        capacity=membership.capacity,
        languages=list(membership.languages),
        channels=list(membership.channels),
        categories=list(membership.categories),
        away=membership.away_since is not None,
        away_since=membership.away_since,
    )


@router.post("/people/{user_id}/away", response_model=AvailabilityRead, responses=_ERRORS)
def post_away(
    user_id: Id, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> AvailabilityRead:
    """The person is away: their new and open cases go back to their teams' queues (or to a colleague)."""
    chosen = scope.brand_by_slug(brand)
    user = _person(session, chosen, user_id)
    moved = actions.set_away(session, brand_id=chosen.id, user=user, actor=scope.actor(session), at=utcnow())
    return AvailabilityRead(user_id=user.id, away=True, returned_case_ids=moved)


@router.post("/people/{user_id}/back", response_model=AvailabilityRead, responses=_ERRORS)
def post_back(
    user_id: Id, scope: ApiReader, session: DbSession, brand: BrandQuery = None
) -> AvailabilityRead:
    """The person is back and gets cases again."""
    chosen = scope.brand_by_slug(brand)
    user = _person(session, chosen, user_id)
    actions.set_back(session, brand_id=chosen.id, user=user, actor=scope.actor(session), at=utcnow())
    return AvailabilityRead(user_id=user.id, away=False)
