"""``ombuds user away|back``: whether a person gets cases; an away person's open cases go back to the queue."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds.accounts import queries
from ombuds.cli.base import console, database, fail
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.routing import assignment_actions as actions
from ombuds.settings import get_settings

EmailArgument = Annotated[str, typer.Argument(help="The person's sign-in email.")]
BrandOption = Annotated[str, typer.Option("--brand", help="Slug of the brand they are away from.")]


def away(email: EmailArgument, brand: BrandOption) -> None:
    """Set a person away: their new and open cases go back to their teams' queues (or to a colleague)."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            user = queries.get_user_by_email(session, email)
            if user is None:
                raise fail(f"no user with email {email!r}")
            moved = actions.set_away(session, brand_id=found.id, user=user, actor=None, at=utcnow())
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{email} is away from {brand}; {len(moved)} open case(s) went back to the team queues")


def back(email: EmailArgument, brand: BrandOption) -> None:
    """Set a person back: automatic assignment gives them cases again."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            user = queries.get_user_by_email(session, email)
            if user is None:
                raise fail(f"no user with email {email!r}")
            was_away = actions.set_back(session, brand_id=found.id, user=user, actor=None, at=utcnow())
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{email} is back at {brand}" if was_away else f"{email} was not away from {brand}")


def register(app: typer.Typer) -> None:
    """Add ``away`` and ``back`` to the ``user`` group."""
    app.command("away")(away)
    app.command("back")(back)
