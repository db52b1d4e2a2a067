"""CLI commands of this package, added to the ``ombuds`` app by ``register``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.commandline import Groups, fail, print_json

TrainOption = Annotated[Path, typer.Option("--train", help="CSV file to learn from.")]
TestOption = Annotated[Path, typer.Option("--test", help="CSV file to score on.")]
TextOption = Annotated[str, typer.Option("--text-col", help="Column with the message text.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object (the default output).")]


def register(groups: Groups) -> None:
    """Add this package's commands to the CLI groups."""
    groups.eval.command("sentiment")(eval_sentiment)
    groups.eval.command("category")(eval_category)
    groups.bench.command("enrichment")(bench_enrichment)
    groups.root.command("train")(train)


def eval_sentiment(
    train: TrainOption,
    test: TestOption,
    text_col: TextOption = "text",
    label_col: Annotated[
        str, typer.Option("--label-col", help="Column with the label.")
    ] = "airline_sentiment",
    json: JsonOption = True,
) -> None:
    """Train sentiment on one file, score it on another; prints accuracy, macro-F1, per class, speed."""
    _evaluate("sentiment", train, test, text_col, label_col, None, 0, [])


def eval_category(
    train: TrainOption,
    test: TestOption,
    label_col: Annotated[str, typer.Option("--label-col", help="Column with the category.")],
    text_col: TextOption = "text",
    shots: Annotated[
        int | None, typer.Option("--shots", help="Train on at most K examples per category.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Which K examples (--shots) are chosen.")] = 0,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help='Skip rows with this label (default: "Can\'t Tell").'),
    ] = None,
    json: JsonOption = True,
) -> None:
    """Learn categories from one file (optionally a few per category), score them on another."""
    from ombuds.enrichment.evaluate import UNDECIDED_LABELS

    excluded = list(UNDECIDED_LABELS) if exclude is None else exclude
    _evaluate("category", train, test, text_col, label_col, shots, seed, excluded)


def _evaluate(
    analyzer: str,
    train: Path,
    test: Path,
    text_col: str,
    label_col: str,
    shots: int | None,
    seed: int,
    exclude: list[str],
) -> None:
    from ombuds.enrichment.evaluate import EvalRequest, evaluate
    from ombuds.enrichment.training import DataError

    request = EvalRequest(analyzer, train, test, text_col, label_col, shots, seed, exclude)
    try:
        result = evaluate(request)
    except DataError as exc:
        raise fail(str(exc)) from exc
    print_json(result)


def bench_enrichment(
    count: Annotated[int, typer.Option("--count", help="How many messages to analyze.")] = 20_000,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Messages per engine call.")] = 500,
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--from", help="CSV file(s) of messages (default: the public data sets beside the repository)."
        ),
    ] = None,
    text_col: TextOption = "text",
    workers: Annotated[
        int, typer.Option("--workers", help="Processes sharing the messages, as pipeline workers would.")
    ] = 1,
    json: JsonOption = True,
) -> None:
    """Messages per second and peak memory of the full analysis path on this machine."""
    from ombuds.enrichment.benchmark import run_benchmark
    from ombuds.enrichment.training import DataError

    try:
        result = run_benchmark(
            count=count, batch_size=batch_size, sources=sources, text_col=text_col, workers=workers
        )
    except DataError as exc:
        raise fail(str(exc)) from exc
    print_json(result)


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
    from ombuds.commandline import database
    from ombuds.db import transaction
    from ombuds.enrichment import learning
    from ombuds.enrichment.training import DataError
    from ombuds.errors import OmbudsError

    try:
        columns = learning.read_example_columns(
            source, text_col=text_col, label_cols=label_col, analyzer=analyzer
        )
    except DataError as exc:
        raise fail(str(exc)) from exc
    try:
        with database() as factory, transaction(factory) as session:
            result = learning.train_from_file(session, brand_slug=brand, columns=columns, source=source.name)
    except (OmbudsError, DataError) as exc:
        raise fail(str(exc)) from exc
    print_json(result)
