"""Teams over JSON: the brand's teams, and adding one (administrators and managers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from ombuds.accounts import actions
from ombuds.accounts.models import Role, Team
from ombuds.accounts.queries import get_role
from ombuds.accounts.schemas import TeamCreate, TeamRead
from ombuds.errors import Conflict, Forbidden
from ombuds.slugs import slugify
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(prefix="/teams", tags=["teams"])

#: Who may add teams through the API.
TEAM_MAKERS = frozenset({Role.ADMIN, Role.MANAGER})

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "Neither an administrator nor a manager of the brand."},
    404: {"description": "No such brand among those the caller may see."},
    409: {"description": "The brand has a team of that name already."},
}

BrandQuery = Annotated[
    str | None, Query(description="Slug of the brand; defaults to the token's brand or the selected one.")
]


@router.get("", response_model=list[TeamRead], responses=_ERRORS)
def list_teams(scope: ApiReader, session: DbSession, brand: BrandQuery = None) -> list[TeamRead]:
    """The brand's teams, by name."""
    chosen = scope.brand_by_slug(brand)
    teams = session.scalars(select(Team).where(Team.brand_id == chosen.id).order_by(Team.name, Team.id))
    return [TeamRead.model_validate(team) for team in teams]


@router.post("", status_code=201, response_model=TeamRead, responses=_ERRORS)
def create_team(body: TeamCreate, scope: ApiReader, session: DbSession, brand: BrandQuery = None) -> TeamRead:
    """Add a team to the brand, for tasks and routing to name (administrators and managers)."""
    chosen = scope.brand_by_slug(brand)
    user = scope.person(session)
    role = get_role(session, user=user, brand_id=chosen.id) if user is not None else None
    if role not in TEAM_MAKERS:
        raise Forbidden("only an administrator or a manager of the brand may add a team")
    slug = slugify(body.name, fallback="team")
    taken = session.scalar(select(Team).where(Team.brand_id == chosen.id, Team.slug == slug))
    if taken is not None:
        raise Conflict(f"name: {chosen.name} has a team {taken.name!r} already (id {taken.id})")
    return TeamRead.model_validate(actions.create_team(session, brand=chosen, slug=slug, name=body.name))
