"""``ombuds user``: people who sign in, and the brands they work for."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from ombuds.accounts import actions, queries
from ombuds.accounts.schemas import UserCreate
from ombuds.cli.base import JsonOption, console, database, fail, show_rows, when
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.settings import get_settings

app = typer.Typer(help="People who sign in.", no_args_is_help=True)

PASSWORD_ENV = "OMBUDS_USER_PASSWORD"
# The rule lives on UserCreate; help and prompts quote it from there.
MIN_PASSWORD: int = next(
    rule.min_length for rule in UserCreate.model_fields["password"].metadata if hasattr(rule, "min_length")
)


def read_password(password: str | None, *, from_stdin: bool) -> str:
    """The new user's password: given, piped in, or asked for when a person is at a terminal."""
    if from_stdin:
        if password is not None:
            raise fail(
                f"give the password either with --password-stdin or --password/{PASSWORD_ENV}, not both"
            )
        line = sys.stdin.readline()
        if not line:
            raise fail("--password-stdin: nothing was read from standard input")
        return line.rstrip("\r\n")
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise fail(
            f"no password given and no terminal to ask on: pipe it with --password-stdin "
            f"or set {PASSWORD_ENV} (at least {MIN_PASSWORD} characters)"
        )
    return str(
        typer.prompt(
            f"Password (at least {MIN_PASSWORD} characters)", hide_input=True, confirmation_prompt=True
        )
    )


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Sign-in email address.")],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand the user works for.")],
    role: Annotated[str, typer.Option("--role", help="admin, manager, agent, pr or viewer.")] = "agent",
    name: Annotated[str | None, typer.Option("--name", help="Display name (defaults to the email).")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar=PASSWORD_ENV,
            show_envvar=True,
            help=f"The new user's password, at least {MIN_PASSWORD} characters (asked for when omitted "
            "at a terminal; an existing user keeps theirs).",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
) -> None:
    """Add a user to a brand (the user is created if new)."""
    secret = read_password(password, from_stdin=password_stdin)
    try:
        data = UserCreate(email=email, name=name or email, password=secret, brand_slug=brand, role=role)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, data.brand_slug)
            user = queries.get_user_by_email(session, data.email) or actions.create_user(
                session, email=data.email, name=data.name, password=data.password
            )
            actions.add_membership(session, user=user, brand=found, role=data.role)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{data.email} is now {data.role.value} of {data.brand_slug}")


@app.command("list")
def list_users(
    brand: Annotated[
        str | None, typer.Option("--brand", help="Only the people of this brand (slug).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """People and their roles: one row per user and brand."""
    try:
        with database(get_settings()) as factory, factory() as session:
            brand_id = queries.get_brand_by_slug_or_raise(session, brand).id if brand else None
            rows = [
                {
                    "email": user.email,
                    "name": user.name,
                    "brand": found.slug if found else None,
                    "role": role.value if role else None,
                    "active": user.is_active,
                    "created": when(user.created_at),
                }
                for user, found, role in queries.list_people(session, brand_id=brand_id)
            ]
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    show_rows(rows, as_json=as_json, nothing="no users yet: add one with `ombuds user add`")
