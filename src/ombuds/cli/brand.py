"""``ombuds brand``: the tenants, each keeping its mentions, cases and people apart."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from ombuds.accounts import actions, queries
from ombuds.cli.base import JsonOption, console, database, fail, show_rows, when
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.settings import get_settings
from ombuds.slugs import slugify

app = typer.Typer(help="Brands: each keeps its mentions, cases and people apart.", no_args_is_help=True)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


@app.command("add")
def add(
    slug: Annotated[str, typer.Argument(help="Short name used in commands and links, e.g. larkspur.")],
    name: Annotated[str, typer.Option("--name", help="Name people see, e.g. 'Larkspur Air'.")],
    team: Annotated[str, typer.Option("--team", help="Name of the default team new cases go to.")] = "Care",
) -> None:
    """Create a brand with a default team; then add people (`user add`) and import mentions."""
    if not SLUG.fullmatch(slug):
        raise fail(f"slug {slug!r}: use lower-case letters, digits and '-' (at most 60)")
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = actions.create_brand(session, slug=slug, name=name)
            actions.create_team(
                session, brand=found, slug=slugify(team, fallback="team"), name=team, is_default=True
            )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"brand {slug} ({name}) created; new cases go to team {team}")


@app.command("list")
def list_brands(as_json: JsonOption = False) -> None:
    """Every brand: slug, name and when it was created."""
    with database(get_settings()) as factory, factory() as session:
        rows = [
            {"slug": brand.slug, "name": brand.name, "created": when(brand.created_at)}
            for brand in queries.list_brands(session)
        ]
    show_rows(rows, as_json=as_json, nothing="no brands yet: add one with `ombuds brand add`")


@app.command("rename")
def rename(
    slug: Annotated[str, typer.Argument(help="The brand to rename, e.g. larkspur.")],
    name: Annotated[str, typer.Argument(help="The new name people see.")],
) -> None:
    """Give a brand a new name; its slug stays, so tokens, commands and links keep working."""
    if not name.strip():
        raise fail("the new name is empty")
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, slug)
            previous = found.name
            changed = actions.rename_brand(session, brand=found, name=name.strip())
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"brand {slug}: {previous} is now {name.strip()}"
        if changed
        else f"brand {slug} is already called {previous}"
    )


@app.command("set")
def set_brand(
    slug: Annotated[str, typer.Argument(help="The brand to change, e.g. larkspur.")],
    reopen_window_days: Annotated[
        int | None,
        typer.Option(
            "--reopen-window-days",
            help="A customer writing again this many days (1-90) after resolution reopens the case.",
        ),
    ] = None,
    survey_message: Annotated[
        str | None,
        typer.Option(
            "--survey-message",
            help="Wording of the message that carries the survey link; must contain {survey_url}, "
            "may use {first_name} and {subject}. An empty string goes back to the default.",
        ),
    ] = None,
) -> None:
    """Change how a brand closes the loop: its reopen window and the wording of its survey message."""
    from ombuds.surveys.actions import Keep, set_closing_settings

    if reopen_window_days is None and survey_message is None:
        raise fail("nothing to change: give --reopen-window-days and/or --survey-message")
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, slug)
            set_closing_settings(
                session,
                brand=found,
                actor_id=None,
                reopen_window_days=reopen_window_days,
                survey_message=Keep.KEEP if survey_message is None else survey_message,
            )
            days = found.reopen_window_days
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"brand {slug}: reopen window {days} days" + ("; survey message set" if survey_message else "")
    )
