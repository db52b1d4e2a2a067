"""What every command shares: output on stdout and stderr, clear errors, and the database opener."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ombuds.db import make_engine, make_session_factory
from ombuds.migrate import SchemaNotCurrent, require_current_schema, upgrade
from ombuds.settings import Settings

console = Console(stderr=True)  # progress and messages for people
out = Console(soft_wrap=True)  # what a command answers (tables), so it can be piped


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line on stderr and give the exit to raise."""
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def print_json(payload: object) -> None:
    """Machine-readable output goes to stdout, alone, as one line."""
    typer.echo(json.dumps(payload, ensure_ascii=False, default=str))


def open_database(settings: Settings, *, migrate: bool = False) -> tuple[Engine, sessionmaker[Session]]:
    """The configured database: migrated to the latest schema when ``migrate``, else checked.

    Only ``db upgrade``, ``serve`` and ``demo`` migrate. Every other command stops with a clear
    message when the schema is behind, instead of changing it as a side effect.
    """
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: the database and secrets
    engine = make_engine(settings.resolved_database_url)
    try:
        if migrate:
            upgrade(engine)
        else:
            require_current_schema(engine)
    except SchemaNotCurrent as exc:
        engine.dispose()
        raise fail(str(exc)) from exc
    return engine, make_session_factory(engine)


@contextmanager
def database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """``open_database`` for a short command: its connections are closed when the command ends."""
    engine, factory = open_database(settings)
    try:
        yield factory
    finally:
        engine.dispose()


def when(moment: datetime | None) -> str | None:
    """A stored UTC time as people read it in a listing, to the minute."""
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def show_rows(rows: Sequence[Mapping[str, object]], *, as_json: bool, nothing: str) -> None:
    """A listing: one JSON array with ``--json``, else a table on stdout (``nothing`` when empty)."""
    if as_json:
        print_json(list(rows))
        return
    if not rows:
        console.print(nothing)
        return
    table = Table(*(name.replace("_", " ") for name in rows[0]), box=box.SIMPLE_HEAD)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row.values()))
    out.print(table)


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON array instead of a table.")]
