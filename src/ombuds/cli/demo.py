"""``ombuds demo``: a fresh demo brand with a few days of customer voice, processed and served."""

from __future__ import annotations

import shutil
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ombuds.cli.base import console, fail, open_database
from ombuds.ports import HOST, port_taken_message
from ombuds.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from ombuds.demo.live_channels import DemoFeedServer


def demo_settings(base: Settings, folder: Path) -> Settings:
    """The operator's settings with the database moved to a fresh SQLite file in ``folder``."""
    # the demo's live feed and webhook answer on loopback, where the desk may not reach by default
    allow = ",".join(part for part in (base.outbound_allow, "127.0.0.1") if part)
    return base.model_copy(update={"data_dir": folder, "database_url": None, "outbound_allow": allow})


def demo(
    port: Annotated[
        int, typer.Option(envvar="OMBUDS_PORT", help="Port to serve the demo on (`make demo PORT=8001`).")
    ] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the demo database, kept afterwards (default: a temporary folder, "
            "removed when the demo stops)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated scenario.")] = 7,
    serve_app: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")] = True,
) -> None:
    """Create a fresh demo brand with a few days of customer voice, process it, and serve the app."""
    if serve_app and (taken := port_taken_message(port)) is not None:
        raise fail(taken)  # before seeding, which takes a while
    if data_dir is not None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: the database and secrets
        if any(data_dir.glob("ombuds.db*")):
            raise fail(f"{data_dir} already holds a database; the demo starts from a fresh folder")
        run_demo(data_dir, port=port, seed=seed, serve_app=serve_app, temporary=False)
        return
    folder = Path(tempfile.mkdtemp(prefix="ombuds-demo-"))
    # SIGTERM's default ends the process without running ``finally``; uvicorn, after its graceful
    # shutdown, raises the signal again, so a `kill` would leave the folder behind.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        run_demo(folder, port=port, seed=seed, serve_app=serve_app, temporary=True)
    finally:  # also after Ctrl+C, a kill or a failure: demo folders must not pile up
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def run_demo(folder: Path, *, port: int, seed: int, serve_app: bool, temporary: bool) -> None:
    from ombuds.demo.run import DemoSummary, seed_demo

    settings = demo_settings(get_settings(), folder)
    engine, factory = open_database(settings, migrate=True)
    try:
        with console.status("analysing, threading, routing and watching the demo mentions…"):
            summary: DemoSummary = seed_demo(factory, seed=seed, settings=settings)
        kept = "removed when the demo stops" if temporary else "kept"
        console.print(
            f"\n[bold]{summary.brand_name}[/] is ready: {summary.mentions} mentions became "
            f"{summary.open_cases} open cases. Data in {folder} ({kept})"
        )
        table = Table("sign in as", "role", "password", title="Demo people")
        for credential in summary.credentials:
            table.add_row(credential.email, credential.role.value, credential.password)
        console.print(table)
        if serve_app:
            from ombuds.serve import serve as run

            feed = _live_channels(factory, settings, port=port)
            console.print(f"Open [bold cyan]http://{HOST}:{port}/[/] — press Ctrl+C to stop.\n")
            try:
                run(settings=settings, session_factory=factory, host=HOST, port=port)
            finally:
                feed.stop()
    finally:
        engine.dispose()  # SQLite's files are closed before the folder is removed


def _live_channels(factory: sessionmaker[Session], settings: Settings, *, port: int) -> DemoFeedServer:
    """An RSS feed served by the demo itself and a webhook source, so a channel is live at once."""
    from ombuds.accounts.queries import get_brand_by_slug_or_raise
    from ombuds.connectors.secrets import secret_box
    from ombuds.demo.live_channels import DemoFeedServer, add_live_sources

    feed = DemoFeedServer()
    with factory() as session:
        brand_id = get_brand_by_slug_or_raise(session, "larkspur").id
    _, hook_id, secret = add_live_sources(
        factory, brand_id=brand_id, feed_url=feed.url, box=secret_box(settings.resolved_secret_key())
    )
    console.print(
        f"Live channels: an RSS feed of reviews at {feed.url} (a new one every few minutes, polled "
        f"every minute), and a webhook: sign pushes to http://{HOST}:{port}/api/v1/hooks/{hook_id} "
        f"with the secret {secret} (docs/connectors/webhook.md)",
        highlight=False,
        soft_wrap=True,
    )
    return feed


def register(app: typer.Typer) -> None:
    app.command()(demo)
