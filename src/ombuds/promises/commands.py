"""CLI commands of this package, added to the ``ombuds`` app by ``register``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.commandline import Groups, console, database, fail, print_json

promises_app = typer.Typer(help="Brand promises scored by customers' experiences.", no_args_is_help=True)


def eval_promises(
    promises: Annotated[
        Path, typer.Option("--promises", help="YAML list of promises, each with id, text and label.")
    ],
    test: Annotated[Path, typer.Option("--test", help="CSV of messages to assign to promises.")],
    label_col: Annotated[
        str, typer.Option("--label-col", help="Column whose value names the contradicted promise's label.")
    ],
    text_col: Annotated[str, typer.Option("--text-col", help="Column with the message text.")] = "text",
    train: Annotated[
        Path | None, typer.Option("--train", help="Optional CSV of labelled messages to learn from.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (the default output).")
    ] = True,
) -> None:
    """Assign each test message to the promise it contradicts; print accuracy, macro_f1, per_class."""
    from ombuds.errors import InvalidInput
    from ombuds.promises.evaluation import PromiseEvalRequest, evaluate_promises

    request = PromiseEvalRequest(
        promises=promises, test=test, label_col=label_col, text_col=text_col, train=train
    )
    try:
        result = evaluate_promises(request)
    except InvalidInput as exc:
        raise fail(str(exc)) from exc
    print_json(result)


@promises_app.command("import")
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
        with database() as factory, transaction(factory) as session:
            found = account_queries.get_brand_by_slug_or_raise(session, brand)
            created, updated = import_entries(session, brand=found, entries=entries)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    console.print(f"{brand}: {created} promise(s) created, {updated} updated")


def register(groups: Groups) -> None:
    """Add this package's commands to the CLI groups."""
    groups.eval.command("promises")(eval_promises)
    groups.root.add_typer(promises_app, name="promises")
