"""``ombuds serve``: the web app with the embedded pipeline runner."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import make_url

from ombuds.cli.base import console, open_database
from ombuds.settings import get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web app and process new mentions in the background."""
    from ombuds.serve import serve as run

    settings = get_settings()
    _, factory = open_database(settings, migrate=True)
    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    console.print(f"Ombuds on [bold]http://{host}:{port}/[/] (database {where})")
    run(settings=settings, session_factory=factory, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command()(serve)
