"""Administration: the overview, brands and teams (admins; managers for teams)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ombuds.accounts import actions, queries
from ombuds.accounts.models import Brand, Role, Team, TeamMember, User
from ombuds.admin.access import admin_brand, owned, required
from ombuds.cases.lifecycle import Actor
from ombuds.cases.workflow import may_work
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.fields import Id, NoNul, parse_id
from ombuds.routing.assignment_actions import add_team_member, remove_team_member
from ombuds.routing.teams.actions import archive_team
from ombuds.slugs import slugify
from ombuds.web.admin_sections import KEEPERS, sections_for
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import flash, render

router = APIRouter()

NameField = Annotated[str, Form(max_length=1000), NoNul]


@router.get("/admin")
def overview(request: Request, signed_in: CurrentUser) -> Response:
    """The sections this person may open."""
    brand = admin_brand(signed_in, KEEPERS)
    sections = sections_for(signed_in.role)
    return render(request, "admin/overview.html", {"brand": brand, "sections": sections}, signed_in=signed_in)


# --- brands ---------------------------------------------------------------------------------------


@router.get("/admin/brands")
def brands_page(request: Request, signed_in: CurrentUser) -> Response:
    admin_brand(signed_in)
    rows = [(brand, signed_in.roles.get(brand.id)) for brand in signed_in.brands]
    return render(request, "admin/brands.html", {"rows": rows}, signed_in=signed_in)


@router.post("/admin/brands")
def create_brand(
    request: Request, signed_in: CurrentUser, session: DbSession, name: NameField = ""
) -> Response:
    """A new brand, with a default team; whoever creates it is its first administrator."""
    admin_brand(signed_in)
    name = required(name, field="name")
    slug = slugify(name, fallback="brand")
    if queries.get_brand_by_slug(session, slug) is not None:
        raise Conflict(f"name: a brand with the short name {slug!r} exists already; choose another name")
    brand = actions.create_brand(session, slug=slug, name=name)
    actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
    actions.add_membership(session, user=signed_in.user, brand=brand, role=Role.ADMIN, actor=signed_in.user)
    flash(request, f"{name} is created with a Care team; switch to it to invite its people.", "success")
    return RedirectResponse("/admin/brands", status_code=303)


@router.post("/admin/brands/{brand_id}/rename")
def rename_brand(
    brand_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, name: NameField = ""
) -> Response:
    admin_brand(signed_in)
    role = signed_in.roles.get(brand_id)
    if role is None:
        raise NotFound(f"no brand {brand_id} among yours")
    if role is not Role.ADMIN:
        raise Forbidden("only administrators of a brand may rename it")
    brand = session.get(Brand, brand_id)
    assert brand is not None  # a membership's brand
    name = required(name, field="name")
    if actions.rename_brand(session, brand=brand, name=name, actor=signed_in.user):
        flash(request, f"The brand is now called {name}.", "success")
    return RedirectResponse("/admin/brands", status_code=303)


# --- teams ----------------------------------------------------------------------------------------


@router.get("/admin/teams")
def teams_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    teams = queries.list_teams(session, brand.id, archived=True)
    members: dict[int, list[User]] = {}
    for team_id, user in session.execute(
        select(TeamMember.team_id, User)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id.in_([t.id for t in teams]))
        .order_by(User.name)
    ):
        members.setdefault(team_id, []).append(user)
    people = [
        user
        for user, _, role in queries.list_people(session, brand_id=brand.id)
        if user.is_active and role is not None and may_work(role)
    ]
    return render(
        request,
        "admin/teams.html",
        {"brand": brand, "teams": teams, "members": members, "people": people},
        signed_in=signed_in,
    )


@router.post("/admin/teams")
def create_team(
    request: Request, signed_in: CurrentUser, session: DbSession, name: NameField = ""
) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    name = required(name, field="name")
    slug = slugify(name, fallback="team")
    taken = session.scalar(select(Team).where(Team.brand_id == brand.id, Team.slug == slug))
    if taken is not None:
        raise Conflict(f"name: {brand.name} has a team {taken.name!r} already")
    actions.create_team(session, brand=brand, slug=slug, name=name)
    flash(request, f"Team {name} is created; add its people on the Team page.", "success")
    return RedirectResponse("/admin/teams", status_code=303)


@router.post("/admin/teams/{team_id}/rename")
def rename_team(
    team_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, name: NameField = ""
) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    team = owned(session, Team, team_id, brand=brand, what="team")
    name = required(name, field="name")
    previous = team.name
    if actions.rename_team(session, team=team, name=name, actor=signed_in.user):
        flash(request, f"Team {previous} is now called {name}.", "success")
    return RedirectResponse("/admin/teams", status_code=303)


@router.post("/admin/teams/{team_id}/archive")
def archive(team_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    team = owned(session, Team, team_id, brand=brand, what="team")
    if archive_team(session, team=team, at=utcnow(), actor=signed_in.user):
        flash(request, f"Team {team.name} is archived: it gets no new cases.", "success")
    return RedirectResponse("/admin/teams", status_code=303)


@router.post("/admin/teams/{team_id}/members")
def add_member(
    team_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, user_id: NameField = ""
) -> Response:
    """Put a person of the brand in the team; its queue is then shared out among its members."""
    brand = admin_brand(signed_in, KEEPERS)
    team = owned(session, Team, team_id, brand=brand, what="team")
    person = _person(session, brand, user_id)
    if add_team_member(session, team=team, user=person, actor=Actor(signed_in.user), at=utcnow()):
        flash(request, f"{person.name} is in team {team.name}.", "success")
    return RedirectResponse("/admin/teams", status_code=303)


@router.post("/admin/teams/{team_id}/members/{user_id}/remove")
def remove_member(
    team_id: Id, user_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    team = owned(session, Team, team_id, brand=brand, what="team")
    person = session.get(User, user_id)
    if person is None or queries.get_role(session, user=person, brand_id=brand.id) is None:
        raise NotFound(f"{brand.name} has no person {user_id}")
    if remove_team_member(session, team=team, user=person, actor=Actor(signed_in.user), at=utcnow()):
        flash(request, f"{person.name} left team {team.name}; their cases stay theirs.", "success")
    return RedirectResponse("/admin/teams", status_code=303)


def _person(session: DbSession, brand: Brand, user_id: str) -> User:
    """A person of the brand named by a form's id; 422 naming the field otherwise."""
    found = parse_id(user_id)
    person = session.get(User, found) if found is not None else None
    if person is None or queries.get_role(session, user=person, brand_id=brand.id) is None:
        raise InvalidInput(f"user_id: {user_id[:20]!r} is not a person of {brand.name}")
    return person
