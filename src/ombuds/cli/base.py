"""What every command shares: output on stdout and stderr, clear errors, and the database opener."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from ombuds.metrics import rollup
from ombuds.migrate import SchemaNotCurrent, require_current_schema, require_database_file, upgrade
from ombuds.settings import Settings

console = Console(stderr=True)  # progress and messages for people
out = Console(soft_wrap=True)  # what a command answers (tables), so it can be piped


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line on stderr and give the exit to raise."""
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def mail_or_fail(
    what: str, *, brand: str, readers: Sequence[str], send: Callable[[], None], settings: Settings
) -> None:
    """Send ``what`` (the digest, the report) with ``send``, or fail saying why: nobody to send it
    to, or the SMTP server of the alerts settings refused or could not be reached."""
    if not readers:
        raise fail(f"{brand}: nobody to send the {what} to; pass --to ADDRESS or add an admin or manager")
    try:
        send()
    except (smtplib.SMTPException, OSError) as exc:
        raise fail(
            f"the {what} could not be sent through {settings.alerts_smtp_host}:{settings.alerts_smtp_port}: {exc}"
        ) from exc


def print_json(payload: object) -> None:
    """Machine-readable output goes to stdout, alone, as one line."""
    typer.echo(json.dumps(payload, ensure_ascii=False, default=str))


def open_database(settings: Settings, *, migrate: bool = False) -> tuple[Engine, sessionmaker[Session]]:
    """The configured database: migrated to the latest schema when ``migrate``, else checked.

    Only ``db upgrade``, ``serve`` and ``demo`` migrate. Every other command stops with a clear
    message when the schema is behind, instead of changing it as a side effect.
    """
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: the database and secrets
    url = settings.resolved_database_url
    if not migrate:
        try:
            require_database_file(url)  # before the engine, which would create an empty file
        except SchemaNotCurrent as exc:
            raise fail(str(exc)) from exc
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
        else:
            require_current_schema(engine)
    except SchemaNotCurrent as exc:
        engine.dispose()
        raise fail(str(exc)) from exc
    rollup.install()  # the dashboard's outcome rows follow every change a command writes
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
    """A listing on stdout: one JSON array with ``--json``, a table at a terminal, else tab-separated
    lines (header first) that ``cut``, ``grep`` and spreadsheets read whole; ``nothing`` when empty."""
    if as_json:
        print_json(list(rows))
        return
    if not rows:
        console.print(nothing)
        return
    header = [name.replace("_", " ") for name in rows[0]]
    cells = [["" if value is None else str(value) for value in row.values()] for row in rows]
    if not out.is_terminal:
        for line in [header, *cells]:
            typer.echo("\t".join(line))
        return
    table = Table(*header, box=box.SIMPLE_HEAD)
    for row_cells in cells:
        table.add_row(*row_cells)
    out.print(table)


def show_report(report: Mapping[str, object], *, as_json: bool) -> None:
    """A measurement: one JSON object with ``--json``, else a table with one row per figure.

    Nested figures are named by their path (``per_class.negative.f1``), so nothing the JSON
    carries is left out of the table; lists are shown as JSON in their cell.
    """
    if as_json:
        print_json(report)
        return
    table = Table("figure", "value", box=box.SIMPLE_HEAD)
    for name, value in _figures(report):
        table.add_row(name, value)
    out.print(table)


def _figures(report: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _figures(value, f"{name}.")
        elif isinstance(value, float):
            yield name, f"{value:.4g}"
        elif isinstance(value, list | tuple):
            yield name, json.dumps(value, ensure_ascii=False, default=str)
        else:
            yield name, "" if value is None else str(value)


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON array instead of a table.")]
#: A file's column feeding a mention's field in place of the preset's (``ombuds import``, ``replay``).
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="COLUMN=FIELD",
        help="Feed FIELD from COLUMN, overriding the preset (repeatable), e.g. --map handle=author.",
    ),
]
