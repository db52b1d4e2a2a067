"""The ``ombuds`` command. Commands are thin: parse, call one action or query, own the transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds import __version__
from ombuds.commandline import Groups, console, database, fail, open_database
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.settings import get_settings

app = typer.Typer(
    help="Ombuds: the customer-voice desk where PR and customer care work as one.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="People who sign in.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machines.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure analysis quality on labelled data (prints JSON).", no_args_is_help=True)
bench_app = typer.Typer(help="Measure speed on this machine (prints JSON).", no_args_is_help=True)
brand_app = typer.Typer(help="Brands: each keeps its mentions, cases and people apart.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(brand_app, name="brand")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ombuds {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Ombuds: the customer-voice desk where PR and customer care work as one."""


# --- db ---------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    engine, _ = open_database()
    engine.dispose()
    console.print(f"database at {get_settings().resolved_database_url} is up to date")


# --- users and tokens ---------------------------------------------------------------------------


@brand_app.command("add")
def brand_add(
    slug: Annotated[str, typer.Argument(help="Short name used in commands and links, e.g. larkspur.")],
    name: Annotated[str, typer.Option("--name", help="Name people see, e.g. 'Larkspur Air'.")],
    team: Annotated[str, typer.Option("--team", help="Name of the default team new cases go to.")] = "Care",
) -> None:
    """Create a brand with a default team; then add people (`user add`) and import mentions."""
    import re

    from ombuds.accounts import actions
    from ombuds.slugs import slugify

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", slug):
        raise fail(f"slug {slug!r}: use lower-case letters, digits and '-' (at most 60)")
    try:
        with database() as factory, transaction(factory) as session:
            found = actions.create_brand(session, slug=slug, name=name)
            actions.create_team(
                session, brand=found, slug=slugify(team, fallback="team"), name=team, is_default=True
            )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"brand {slug} ({name}) created; new cases go to team {team}")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="Sign-in email address.")],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand the user works for.")],
    role: Annotated[str, typer.Option("--role", help="admin, manager, agent, pr or viewer.")] = "agent",
    name: Annotated[str | None, typer.Option("--name", help="Display name (defaults to the email).")] = None,
    password: Annotated[
        str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Add a user to a brand (the user is created if new)."""
    from pydantic import ValidationError

    from ombuds.accounts import actions, queries
    from ombuds.accounts.schemas import UserCreate

    try:
        data = UserCreate(email=email, name=name or email, password=password, brand_slug=brand, role=role)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
    try:
        with database() as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, data.brand_slug)
            user = queries.get_user_by_email(session, data.email) or actions.create_user(
                session, email=data.email, name=data.name, password=data.password
            )
            actions.add_membership(session, user=user, brand=found, role=data.role)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{data.email} is now {data.role.value} of {data.brand_slug}")


@token_app.command("create")
def token_create(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand the token writes to.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
) -> None:
    """Create an API token; it is printed once on stdout and never shown again."""
    from ombuds.accounts import actions, queries

    try:
        with database() as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            _, token = actions.create_api_token(session, brand=found, name=name)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    typer.echo(token)


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Argument(help="What the change is, in a few words.")]) -> None:
    """Write a new migration from the models' changes (for developers)."""
    from ombuds.migrate import revision

    revision(message)


# --- serve and demo -----------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web app and process new mentions in the background."""
    from ombuds.serve import serve as run

    _, factory = open_database()
    console.print(
        f"Ombuds on [bold]http://{host}:{port}/[/] (database {get_settings().resolved_database_url})"
    )
    run(settings=get_settings(), session_factory=factory, host=host, port=port)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to serve the demo on.")] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder for the demo database (default: a new temporary folder).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated scenario.")] = 7,
    serve_app: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")] = True,
) -> None:
    """Create a fresh demo brand with a few days of customer voice, process it, and serve the app."""
    import os
    import tempfile

    from ombuds.demo.run import print_welcome, seed_demo

    folder = data_dir or Path(tempfile.mkdtemp(prefix="ombuds-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("ombuds.db*")):
        raise fail(f"{folder} already holds a database; the demo starts from a fresh folder")
    os.environ["OMBUDS_DATA_DIR"] = str(folder)
    os.environ.pop("OMBUDS_DATABASE_URL", None)
    get_settings.cache_clear()
    _, factory = open_database()
    summary = seed_demo(factory, seed=seed)
    print_welcome(summary, url=f"http://127.0.0.1:{port}/", folder=folder)
    if serve_app:
        from ombuds.serve import serve as run

        run(settings=get_settings(), session_factory=factory, host="127.0.0.1", port=port)


# --- commands that live with their packages ----------------------------------------------------


def _register_package_commands() -> None:
    from ombuds.enrichment import commands as enrichment
    from ombuds.incidents import commands as incidents
    from ombuds.mentions import commands as mentions
    from ombuds.pipeline import commands as pipeline
    from ombuds.promises import commands as promises

    groups = Groups(root=app, eval=eval_app, bench=bench_app)
    for package in (mentions, pipeline, enrichment, incidents, promises):
        package.register(groups)


_register_package_commands()
