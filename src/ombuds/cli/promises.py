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


@app.command("preflight")
def preflight(
    text: Annotated[str, typer.Argument(help="The draft claim, as marketing would say it.")],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand that would make it.")],
    weeks: Annotated[
        int, typer.Option("--weeks", help="Weeks of customers' messages to hold it against.")
    ] = 8,
    json_output: Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")] = False,
) -> None:
    """Hold a draft claim against the last weeks of customers' messages with the promise matcher:
    how many confirm and contradict it, its alignment and interval, and the voices. Stores nothing."""
    from ombuds.accounts import queries as account_queries
    from ombuds.errors import OmbudsError
    from ombuds.promises.preflight import preflight as check
    from ombuds.promises.preflight import preflight_read

    try:
        with database(get_settings()) as factory, factory() as session:
            found = account_queries.get_brand_by_slug_or_raise(session, brand)
            answer = preflight_read(
                session, found.id, check(session, brand_id=found.id, text=text, weeks=weeks)
            )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if json_output:
        typer.echo(answer.model_dump_json(indent=2))
        return
    low, high = answer.interval
    aligned = (
        "not scored" if answer.alignment is None else f"{answer.alignment:.0%} aligned ({low:.0%}-{high:.0%})"
    )
    typer.echo(
        f"{brand}: “{answer.text}” over {answer.weeks} weeks: {answer.contradicts} contradict, "
        f"{answer.confirms} confirm, {answer.neutral} only mention it ({answer.matches} of "
        f"{answer.read} messages read, {answer.messages} in the window); {aligned}"
    )
    for example in answer.examples:
        case = f"case #{example.case_id}" if example.case_id else "no case"
        typer.echo(f"  {example.stance:<11} {case:<10} {example.evidence}")
