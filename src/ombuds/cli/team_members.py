"""``ombuds team member``: who is in a team, whose queue automatic assignment gives out among them."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import queries
from ombuds.accounts.models import Brand, Team, User
from ombuds.cli.base import JsonOption, console, database, fail, show_rows
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.routing import assignment_actions as actions
from ombuds.routing.assignment_queries import list_team_members
from ombuds.settings import get_settings

app = typer.Typer(help="People in a team, who get its cases.", no_args_is_help=True)

BrandOption = Annotated[str, typer.Option("--brand", help="Slug of the brand the team works for.")]
TeamArgument = Annotated[str, typer.Argument(help="The team's slug, from `ombuds team list`.")]
EmailArgument = Annotated[str, typer.Argument(help="The person's sign-in email.")]


def _team(session: Session, brand: Brand, slug: str) -> Team:
    team = session.scalar(select(Team).where(Team.brand_id == brand.id, Team.slug == slug))
    if team is None:
        raise fail(f"brand {brand.slug} has no team {slug!r}: see `ombuds team list --brand {brand.slug}`")
    return team


def _user(session: Session, email: str) -> User:
    user = queries.get_user_by_email(session, email)
    if user is None:
        raise fail(f"no user with email {email!r}: add one with `ombuds user add`")
    return user


@app.command("add")
def add(team: TeamArgument, email: EmailArgument, brand: BrandOption) -> None:
    """Put a person of the brand in the team (a person may be in several teams)."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            added = actions.add_team_member(
                session, team=_team(session, found, team), user=_user(session, email), actor=None, at=utcnow()
            )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{email} {'is now in' if added else 'was already in'} team {team} of {brand}")


@app.command("remove")
def remove(team: TeamArgument, email: EmailArgument, brand: BrandOption) -> None:
    """Take a person out of the team; the cases they have stay theirs."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            removed = actions.remove_team_member(
                session, team=_team(session, found, team), user=_user(session, email), actor=None, at=utcnow()
            )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{email} {'left' if removed else 'was not in'} team {team} of {brand}")


@app.command("list")
def list_members(team: TeamArgument, brand: BrandOption, as_json: JsonOption = False) -> None:
    """A team's members with their open cases, capacity, languages and availability."""
    try:
        with database(get_settings()) as factory, factory() as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            rows = [
                {
                    "email": row.email,
                    "name": row.name,
                    "open cases": row.load,
                    "capacity": row.capacity,
                    "languages": ", ".join(row.languages) or "any",
                    "away": row.is_away,
                }
                for row in list_team_members(session, _team(session, found, team))
            ]
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    show_rows(
        rows, as_json=as_json, nothing=f"team {team} has no members: add one with `ombuds team member add`"
    )
