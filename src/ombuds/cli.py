"""The ``ombuds`` command. Commands are thin: parse, call one action or query, own the transaction."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds import __version__
from ombuds.commandline import Groups, console, fail, open_database
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
app.add_typer(db_app, name="db")
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
    _, factory = open_database()
    try:
        with transaction(factory) as session:
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

    _, factory = open_database()
    try:
        with transaction(factory) as session:
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
