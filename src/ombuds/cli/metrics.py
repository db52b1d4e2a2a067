"""``ombuds metrics``: upkeep of the dashboard's per-case outcome rows."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds.cli.base import console, database, fail
from ombuds.settings import get_settings

app = typer.Typer(help="The dashboard's figures.", no_args_is_help=True)


@app.command("rebuild")
def rebuild(
    brand: Annotated[
        str | None, typer.Option("--brand", help="Slug of the brand; default: every brand.")
    ] = None,
) -> None:
    """Work the dashboard's rows (each case's outcome, each customer message's category and tone)
    out again from the event log and the messages: a repair, as the desk keeps them current by
    itself. Commits a few thousand cases at a time, so it can be stopped and run again."""
    from ombuds.accounts import queries as account_queries
    from ombuds.errors import OmbudsError
    from ombuds.metrics.rollup import rebuild_in_batches

    settings = get_settings()
    try:
        with database(settings) as factory:
            brand_id = None
            if brand is not None:
                with factory() as session:
                    brand_id = account_queries.get_brand_by_slug_or_raise(session, brand).id
            written = rebuild_in_batches(factory, brand_id=brand_id)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Rebuilt the outcome rows of {written} cases{f' of {brand}' if brand else ''}.")
