"""``ombuds db``: the database schema."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import make_url

from ombuds import migrate
from ombuds.cli.base import console, open_database
from ombuds.settings import get_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    settings = get_settings()
    engine, _ = open_database(settings, migrate=True)
    engine.dispose()
    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    console.print(f"database at {where} is up to date")


@app.command("revision")
def revision(message: Annotated[str, typer.Argument(help="What the change is, in a few words.")]) -> None:
    """Write a new migration from the models' changes (for developers)."""
    migrate.revision(message)
