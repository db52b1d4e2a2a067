"""``ombuds demo``: a fresh demo brand with a few days of customer voice, processed and served."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ombuds.cli.base import console, fail, open_database
from ombuds.settings import Settings, get_settings


def demo_settings(base: Settings, folder: Path) -> Settings:
    """The operator's settings with the database moved to a fresh SQLite file in ``folder``."""
    return base.model_copy(update={"data_dir": folder, "database_url": None})


def demo(
    port: Annotated[int, typer.Option(help="Port to serve the demo on.")] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder for the demo database (default: a new temporary folder).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated scenario.")] = 7,
    serve_app: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")] = True,
) -> None:
    """Create a fresh demo brand with a few days of customer voice, process it, and serve the app."""
    from ombuds.demo.run import DemoSummary, seed_demo

    folder = data_dir or Path(tempfile.mkdtemp(prefix="ombuds-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("ombuds.db*")):
        raise fail(f"{folder} already holds a database; the demo starts from a fresh folder")
    settings = demo_settings(get_settings(), folder)
    _, factory = open_database(settings, migrate=True)
    with console.status("analysing, threading, routing and watching the demo mentions…"):
        summary: DemoSummary = seed_demo(factory, seed=seed, settings=settings)
    url = f"http://127.0.0.1:{port}/"
    console.print(
        f"\n[bold]{summary.brand_name}[/] is ready: {summary.mentions} mentions became "
        f"{summary.open_cases} open cases. Data in {folder}"
    )
    table = Table("sign in as", "role", "password", title="Demo people")
    for credential in summary.credentials:
        table.add_row(credential.email, credential.role.value, credential.password)
    console.print(table)
    if serve_app:
        from ombuds.serve import serve as run

        console.print(f"Open [bold cyan]{url}[/] — press Ctrl+C to stop.\n")
        run(settings=settings, session_factory=factory, host="127.0.0.1", port=port)


def register(app: typer.Typer) -> None:
    app.command()(demo)
