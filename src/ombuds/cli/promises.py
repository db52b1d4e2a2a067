"""``ombuds promises``: brand promises scored by customers' experiences."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import console, database, fail
from ombuds.settings import get_settings

app = typer.Typer(help="Brand promises scored by customers' experiences.", no_args_is_help=True)


@app.command("import")
def import_promises(
    path: Annotated[Path, typer.Argument(help="YAML list of promises (id, text, campaign, dates, ...).")],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand making these promises.")],
) -> None:
    """Create or update a brand's promises from YAML (matched by id); nothing is deleted."""
    from ombuds.accounts import queries as account_queries
    from ombuds.db import transaction
    from ombuds.errors import OmbudsError
    from ombuds.promises.actions import import_promises as import_entries
    from ombuds.promises.files import read_promises

    try:
        entries = read_promises(path)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = account_queries.get_brand_by_slug_or_raise(session, brand)
            created, updated = import_entries(session, brand=found, entries=entries)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{brand}: {created} promise(s) created, {updated} updated")
