"""What every CLI command shares: the command groups, the database opener, error and JSON output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ombuds.db import make_engine, make_session_factory
from ombuds.settings import get_settings

console = Console(stderr=True)


@dataclass(frozen=True)
class Groups:
    """The Typer groups packages add their commands to (see each package's commands.py)."""

    root: typer.Typer
    eval: typer.Typer
    bench: typer.Typer


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line on stderr and give the exit to raise."""
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def print_json(payload: object) -> None:
    """Machine-readable output goes to stdout, alone, as one line."""
    typer.echo(json.dumps(payload, ensure_ascii=False, default=str))


def open_database(*, migrate: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """The configured database, brought up to date unless told otherwise."""
    from ombuds.migrate import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return engine, make_session_factory(engine)


@contextmanager
def database() -> Iterator[sessionmaker[Session]]:
    """``open_database`` for a short command: its connections are closed when the command ends."""
    engine, factory = open_database()
    try:
        yield factory
    finally:
        engine.dispose()
