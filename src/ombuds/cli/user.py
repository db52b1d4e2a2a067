"""``ombuds user``: people who sign in, and the brands they work for."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ombuds.accounts import actions, queries
from ombuds.accounts.models import Role
from ombuds.accounts.schemas import UserCreate
from ombuds.cli.base import JsonOption, console, database, fail, show_rows, when
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.settings import get_settings

app = typer.Typer(help="People who sign in.", no_args_is_help=True)

PASSWORD_ENV = "OMBUDS_USER_PASSWORD"
# The rule lives on UserCreate; help and prompts quote it from there.
_RULES = UserCreate.model_fields["password"].metadata
MIN_PASSWORD: int = next(rule.min_length for rule in _RULES if hasattr(rule, "min_length"))
MAX_PASSWORD: int = next(rule.max_length for rule in _RULES if hasattr(rule, "max_length"))


RULES = f"at least {MIN_PASSWORD} characters"


def read_password(password: str | None, *, password_file: Path | None, from_stdin: bool) -> str:
    """The password: given, from a file, piped in, or asked for when a person is at a terminal.

    Without a terminal and without --password, standard input is read, so ``ombuds user add …
    < file`` and ``echo … | ombuds user add …`` work in scripts without any flag.
    """
    given = [
        name
        for name, used in (
            (f"--password/{PASSWORD_ENV}", password is not None),
            ("--password-file", password_file is not None),
            ("--password-stdin", from_stdin),
        )
        if used
    ]
    if len(given) > 1:
        raise fail(f"give the password one way, not with {' and '.join(given)}")
    if password is not None:
        return password
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise fail(f"--password-file {password_file}: {exc.strerror or exc}") from exc
        if not lines or not lines[0]:
            raise fail(f"--password-file {password_file}: the first line is empty")
        return lines[0]
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise fail(
                "no password: nothing on standard input and no terminal to ask on; pipe it in, "
                f"give --password-file or set {PASSWORD_ENV} ({RULES})"
            )
        return line
    return str(typer.prompt(f"Password ({RULES})", hide_input=True, confirmation_prompt=True))


def checked_password(secret: str) -> str:
    """The password if it keeps the rules that UserCreate enforces, else a clear error."""
    if not MIN_PASSWORD <= len(secret) <= MAX_PASSWORD:
        raise fail(f"password: {RULES}, at most {MAX_PASSWORD} (this one has {len(secret)})")
    return secret


PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar=PASSWORD_ENV,
        show_envvar=True,
        help=f"The password, {RULES}. Without it: --password-file, standard input when it is not a "
        "terminal, else a prompt.",
    ),
]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option("--password-file", help="Read the password from the first line of this file."),
]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Sign-in email address.")],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand the user works for.")],
    role: Annotated[str, typer.Option("--role", help="admin, manager, agent, pr or viewer.")] = "agent",
    name: Annotated[str | None, typer.Option("--name", help="Display name (defaults to the email).")] = None,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Add a user to a brand (the user is created if new; an existing user keeps their password)."""
    secret = read_password(password, password_file=password_file, from_stdin=password_stdin)
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


EmailArgument = Annotated[str, typer.Argument(help="The user's sign-in email address.")]


@app.command("password")
def password(
    email: EmailArgument,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Set a user's password; every browser signed in as them is signed out."""
    secret = checked_password(read_password(password, password_file=password_file, from_stdin=password_stdin))
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            user = queries.get_user_by_email_or_raise(session, email)
            actions.change_password(session, user=user, password=secret)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{email} has a new password; their open sessions have ended")


@app.command("deactivate")
def deactivate(email: EmailArgument) -> None:
    """Stop a user signing in: their sessions end and API tokens acting for them are revoked."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            user = queries.get_user_by_email_or_raise(session, email)
            changed = actions.deactivate_user(session, user=user)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if changed:
        console.print(f"{email} is deactivated: signed out everywhere, their API tokens revoked")
    else:
        console.print(f"{email} was already deactivated")


RoleOption = Annotated[str, typer.Option("--role", help="admin, manager, agent, pr or viewer.")]


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise fail(f"--role: {value!r} is not one of {', '.join(Role)}") from None


@app.command("invite")
def invite(
    email: EmailArgument,
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand they join.")],
    role: RoleOption = "agent",
    name: Annotated[str | None, typer.Option("--name", help="Display name (defaults to the email).")] = None,
    base_url: Annotated[
        str, typer.Option("--url", help="Where people reach Ombuds; the link starts with it.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print a one-time link (valid 7 days) to join the brand: with a new password, or their own if they have an account."""
    chosen = _role(role)
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            row, token = actions.create_invite(
                session, brand=found, email=email, name=name or email.strip().lower(), role=chosen
            )
            expires = when(row.expires_at)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"invite for {email} as {chosen.value} of {brand}, valid until {expires}:", highlight=False)
    typer.echo(f"{base_url.rstrip('/')}/invite/{token}")


@app.command("role")
def change_role(
    email: EmailArgument,
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand.")],
    role: RoleOption,
) -> None:
    """Give a person another role in a brand; a brand always keeps one active administrator."""
    chosen = _role(role)
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            user = queries.get_user_by_email_or_raise(session, email)
            membership = queries.get_membership(session, user_id=user.id, brand_id=found.id)
            if membership is None:
                raise fail(f"{email} does not work for {brand} (see `ombuds user list --brand {brand}`)")
            changed = actions.change_role(session, membership=membership, role=chosen)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"{email} is now {chosen.value} of {brand}"
        if changed
        else f"{email} already is {chosen.value} of {brand}"
    )
