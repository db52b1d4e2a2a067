"""The Team page: a team's members with their load, capacity, skills and availability; Away/Back
buttons (anyone for themselves, managers and admins for anyone) and the team's assignment policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.accounts.models import AssignmentPolicy, Team, User
from ombuds.accounts.queries import get_role, list_teams
from ombuds.cases.lifecycle import Actor
from ombuds.clock import utcnow
from ombuds.errors import OmbudsError
from ombuds.fields import Id
from ombuds.promises.queries import list_drafts
from ombuds.routing import assignment_actions as actions
from ombuds.routing.assignment_queries import list_team_members, teams_of
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()

POLICY_LABELS = {
    AssignmentPolicy.MANUAL: "By hand (cases wait in the team's queue)",
    AssignmentPolicy.ROUND_ROBIN: "Round robin (each member in turn)",
    AssignmentPolicy.LEAST_LOADED: "Least loaded (fewest open cases first)",
}


def _say(request: Request, session: Session, error: OmbudsError) -> None:
    session.rollback()
    text = str(error)
    flash(request, text[:1].upper() + text[1:] + ".", "error")


def _back(team_id: int | None) -> RedirectResponse:
    return RedirectResponse(f"/team?team={team_id}" if team_id else "/team", status_code=303)


@router.get("/team")
def team_page(
    request: Request, signed_in: CurrentUser, session: DbSession, team: str | None = None
) -> Response:
    """One team's members; when none is chosen, the first team the person belongs to (as the
    Tasks page opens), else the first team."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    teams = list_teams(session, brand.id)
    own = {t.id for t in teams_of(session, brand_id=brand.id, user_id=signed_in.user.id)}
    default = next((t for t in teams if t.id in own), teams[0] if teams else None)
    chosen = next((t for t in teams if str(t.id) == team), default)
    return render(
        request,
        "team/members.html",
        {
            "teams": teams,
            "team": chosen,
            "members": list_team_members(session, chosen) if chosen else [],
            "policies": POLICY_LABELS,
            "may_manage": signed_in.role in actions.MANAGING_ROLES,
            # claims PR has not registered yet, for the leads' word before launch
            "drafts": list_drafts(session, brand.id, unregistered_only=True)[:5],
        },
        signed_in=signed_in,
    )


def _person(session: Session, signed_in: SignedIn, user_id: int) -> User:
    user = session.get(User, user_id)
    brand = signed_in.brand
    if user is None or brand is None or get_role(session, user=user, brand_id=brand.id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return user


@router.post("/team/people/{user_id}/away")
def away(
    user_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    team: Annotated[int | None, Form()] = None,
) -> Response:
    """Set a person away; their new and open cases go back to their teams' queues."""
    user = _person(session, signed_in, user_id)
    assert signed_in.brand is not None
    try:
        moved = actions.set_away(
            session, brand_id=signed_in.brand.id, user=user, actor=Actor(signed_in.user), at=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
    else:
        cases = f"{len(moved)} open case{'s' if len(moved) != 1 else ''} went back to the team queues"
        flash(request, f"{user.name} is away; {cases}.", "success")
    return _back(team)


@router.post("/team/people/{user_id}/back")
def back(
    user_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    team: Annotated[int | None, Form()] = None,
) -> Response:
    """A person is back and gets cases again."""
    user = _person(session, signed_in, user_id)
    assert signed_in.brand is not None
    try:
        actions.set_back(
            session, brand_id=signed_in.brand.id, user=user, actor=Actor(signed_in.user), at=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
    else:
        flash(request, f"{user.name} is back and gets cases again.", "success")
    return _back(team)


@router.post("/team/{team_id}/assignment")
def assignment(
    team_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    policy: Annotated[AssignmentPolicy, Form()],
) -> Response:
    """A manager chooses how the team gives out the cases routed to it."""
    found = session.get(Team, team_id)
    if found is None or signed_in.brand is None or found.brand_id != signed_in.brand.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    try:
        actions.set_team_assignment(
            session, team=found, policy=policy, actor=Actor(signed_in.user), at=utcnow()
        )
    except OmbudsError as error:
        _say(request, session, error)
    else:
        flash(
            request, f"{found.name}: {POLICY_LABELS[policy].split(' (')[0].lower()} from now on.", "success"
        )
    return _back(found.id)
