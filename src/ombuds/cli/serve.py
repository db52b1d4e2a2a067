"""``ombuds serve``: the web app with the embedded pipeline runner."""

from __future__ import annotations

import os
import socket
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
    fd: Annotated[
        int | None,
        typer.Option(
            "--fd",
            help="Listen on this already open socket (a file descriptor) instead of --host and --port: "
            "for process managers that hold the port themselves, such as systemd socket activation.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the web app and process new mentions in the background."""
    from ombuds.serve import serve as run

    url = f"http://{host}:{port}/" if fd is None else _socket_url(fd)
    settings = get_settings()
    try:
        settings.resolved_secret_key()  # made now, before the web and the runner read it
    except ValueError as exc:
        raise fail(str(exc)) from exc
    engine, factory = open_database(settings, migrate=True)
    if settings.runner == "celery":
        try:
            require_postgresql(engine)
        except RuntimeError as exc:
            raise fail(str(exc)) from exc
    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    console.print(f"Ombuds on [bold]{url}[/] (database {where})")
    console.print(f"Data folder {settings.data_dir.resolve()} (OMBUDS_DATA_DIR)", highlight=False)
    trusted, proxies = settings.forwarded_headers(proxy_headers=proxy_headers)
    if trusted:
        console.print(f"Forwarded headers trusted from {proxies}", highlight=False)
    run(
        settings=settings,
        session_factory=factory,
        host=host,
        port=port,
        fd=fd,
        proxy_headers=proxy_headers,
    )


def _socket_url(fd: int) -> str:
    """Where the socket handed over as ``fd`` listens; a clear error when ``fd`` is no socket."""
    try:
        # a duplicate, so closing it here leaves the server's descriptor open
        with socket.socket(fileno=os.dup(fd)) as sock:
            address = sock.getsockname()
            family = sock.family
    except OSError as exc:
        raise fail(f"--fd {fd} is not an open socket: {exc.strerror}") from exc
    if family == socket.AF_UNIX:
        return f"unix socket {address}"
    host, port = address[0], address[1]
    return f"http://[{host}]:{port}/" if family == socket.AF_INET6 else f"http://{host}:{port}/"


def register(app: typer.Typer) -> None:
    app.command()(serve)
