"""``ombuds serve``: the web app with the embedded pipeline runner."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import make_url

from ombuds.cli.base import console, fail, open_database
from ombuds.pipeline.distributed import require_postgresql
from ombuds.settings import get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="OMBUDS_PORT", help="Port to listen on.")] = 8000,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers",
            help="Behind a reverse proxy: trust its X-Forwarded-For/-Proto headers (from 127.0.0.1; "
            "OMBUDS_FORWARDED_ALLOW_IPS names other proxies and turns this on by itself).",
        ),
    ] = False,
) -> None:
    """Serve the web app and process new mentions in the background."""
    from ombuds.serve import serve as run

    settings = get_settings()
    engine, factory = open_database(settings, migrate=True)
    if settings.runner == "celery":
        try:
            require_postgresql(engine)
        except RuntimeError as exc:
            raise fail(str(exc)) from exc
    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    console.print(f"Ombuds on [bold]http://{host}:{port}/[/] (database {where})")
    console.print(f"Data folder {settings.data_dir.resolve()} (OMBUDS_DATA_DIR)", highlight=False)
    trusted, proxies = settings.forwarded_headers(proxy_headers=proxy_headers)
    if trusted:
        console.print(f"Forwarded headers trusted from {proxies}", highlight=False)
    run(settings=settings, session_factory=factory, host=host, port=port, proxy_headers=proxy_headers)


def register(app: typer.Typer) -> None:
    app.command()(serve)
