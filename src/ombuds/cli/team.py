"""``ombuds team``: the teams of a brand that cases are routed to."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds.accounts import actions, queries
from ombuds.cli.base import JsonOption, console, database, fail, show_rows, when
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.routing.teams.actions import archive_team
from ombuds.settings import get_settings
from ombuds.slugs import slugify

app = typer.Typer(help="Teams that cases are routed to.", no_args_is_help=True)

BrandOption = Annotated[str, typer.Option("--brand", help="Slug of the brand the team works for.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Name people see, e.g. 'Baggage'.")],
    brand: BrandOption,
) -> None:
    """Add a team to a brand; routing rules and people can then send cases to it."""
    slug = slugify(name, fallback="team")
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            if any(team.slug == slug for team in queries.list_teams(session, found.id, archived=True)):
                raise fail(f"brand {brand} already has a team {slug!r}")
            actions.create_team(session, brand=found, slug=slug, name=name)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"team {name} ({slug}) added to {brand}")


@app.command("list")
def list_teams(
    brand: BrandOption,
    archived: Annotated[bool, typer.Option("--archived", help="Archived teams too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """A brand's teams; the default one gets new cases no rule routes elsewhere."""
    try:
        with database(get_settings()) as factory, factory() as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            rows = [
                {"slug": team.slug, "name": team.name, "default": team.is_default}
                | ({"archived": when(team.archived_at)} if archived else {})
                for team in queries.list_teams(session, found.id, archived=archived)
            ]
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    show_rows(rows, as_json=as_json, nothing=f"{brand} has no teams: add one with `ombuds team add`")


@app.command("rename")
def rename(
    slug: Annotated[str, typer.Argument(help="The team's slug, from `ombuds team list`.")],
    name: Annotated[str, typer.Argument(help="The new name people see.")],
    brand: BrandOption,
) -> None:
    """Give a team a new name; its slug stays, so routing rules and links keep working."""
    if not name.strip():
        raise fail("the new name is empty")
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            team = queries.get_team_by_slug_or_raise(session, brand=found, slug=slug)
            previous = team.name
            changed = actions.rename_team(session, team=team, name=name.strip())
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if changed:
        console.print(f"team {slug} of {brand}: {previous} is now {name.strip()}")
    else:
        console.print(f"team {slug} of {brand} is already called {previous}")


@app.command("archive")
def archive(
    slug: Annotated[str, typer.Argument(help="The team's slug, from `ombuds team list`.")],
    brand: BrandOption,
) -> None:
    """Archive a team: it keeps its history, gets no new cases, and the rules routing to it switch off.

    Refused for the default team and for a team that still has open cases.
    """
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            team = queries.get_team_by_slug_or_raise(session, brand=found, slug=slug)
            changed = archive_team(session, team=team, at=utcnow())
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"team {slug} of {brand} is archived" if changed else f"team {slug} of {brand} was already archived"
    )
