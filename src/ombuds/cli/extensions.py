"""Command groups that other installed packages add to ``ombuds`` through entry points.

A package declares ``[project.entry-points."ombuds.commands"]`` with ``NAME = "module:typer_app"``
and ``ombuds NAME ...`` runs it. The offline measurement tools (``ombuds eval``, ``ombuds bench``)
join this way, so the product never imports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

import typer

from ombuds.cli.base import console

GROUP = "ombuds.commands"


def add_command_groups(app: typer.Typer, found: Iterable[EntryPoint] | None = None) -> list[str]:
    """Add each entry point's Typer app under its name, in name order; returns the names added.

    One that cannot be loaded, is not a Typer app or takes a name already in use is left out
    with a warning on stderr naming it, so a broken extension never takes the product's own
    commands down with it.
    """
    taken = {info.name for info in app.registered_groups} | {
        info.name or (info.callback.__name__ if info.callback else None) for info in app.registered_commands
    }
    added: list[str] = []
    for entry in sorted(entry_points(group=GROUP) if found is None else found, key=lambda e: e.name):
        where = f"command group {entry.name!r} ({entry.value}, entry point group {GROUP!r})"
        if entry.name in taken:
            _warn(f"{where} is left out: `ombuds {entry.name}` already exists")
            continue
        try:
            group = entry.load()
        except Exception as exc:  # any import error of someone else's package
            _warn(f"{where} could not be loaded and is left out: {type(exc).__name__}: {exc}")
            continue
        if not isinstance(group, typer.Typer):
            _warn(f"{where} is left out: it is a {type(group).__name__}, not a typer.Typer")
            continue
        app.add_typer(group, name=entry.name)
        taken.add(entry.name)
        added.append(entry.name)
    return added


def _warn(message: str) -> None:
    console.print(f"[bold yellow]warning:[/] {message}", highlight=False, markup=True, soft_wrap=True)
