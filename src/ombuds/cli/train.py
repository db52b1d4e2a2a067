"""``ombuds train``: a brand's models learn from a file of labelled examples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import database, fail, print_json
from ombuds.settings import get_settings

TextOption = Annotated[str, typer.Option("--text-col", help="Column with the message text.")]


def train(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand whose models learn.")],
    source: Annotated[Path, typer.Option("--from", help="CSV with a text column and label columns.")],
    text_col: TextOption = "text",
    label_col: Annotated[
        list[str] | None,
        typer.Option(
            "--label-col",
            help="Label column(s); each must be named after an analyzer (category, sentiment, "
            "intent) unless --analyzer says which. Default: every such column present.",
        ),
    ] = None,
    analyzer: Annotated[
        str | None, typer.Option("--analyzer", help="The analyzer a single --label-col teaches.")
    ] = None,
) -> None:
    """Add labelled examples for a brand and retrain its models; prints what was learned."""
    from ombuds.db import transaction
    from ombuds.enrichment.example_files import read_example_columns
    from ombuds.enrichment.retraining import train_from_file
    from ombuds.enrichment.training import DataError
    from ombuds.errors import OmbudsError

    try:
        columns = read_example_columns(source, text_col=text_col, label_cols=label_col, analyzer=analyzer)
    except DataError as exc:
        raise fail(str(exc)) from exc
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            result = train_from_file(session, brand_slug=brand, columns=columns, source=source.name)
    except (OmbudsError, DataError) as exc:
        raise fail(str(exc)) from exc
    print_json(result)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
