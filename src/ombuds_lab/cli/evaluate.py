"""``ombuds eval``: analysis quality measured on labelled data (a table, or JSON with ``--json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import fail, show_report

app = typer.Typer(help="Measure analysis quality on labelled data.", no_args_is_help=True)

TrainOption = Annotated[Path, typer.Option("--train", help="CSV file to learn from.")]
TestOption = Annotated[Path, typer.Option("--test", help="CSV file to score on.")]
TextOption = Annotated[str, typer.Option("--text-col", help="Column with the message text.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        help="fast: today's linear heads; accurate: MiniLM fine-tuned on --train (minutes on a CPU).",
    ),
]
EpochsOption = Annotated[
    int | None,
    typer.Option(
        "--epochs",
        min=1,
        help="Passes over --train (--model accurate; default: 3, or as many as 1,000 steps take, at most 5).",
    ),
]
MODELS = ("fast", "accurate")


@app.command("sentiment")
def eval_sentiment(
    test: TestOption,
    train: Annotated[
        Path | None, typer.Option("--train", help="CSV file to learn from (or --shipped).")
    ] = None,
    text_col: TextOption = "text",
    label_col: Annotated[
        str, typer.Option("--label-col", help="Column with the label.")
    ] = "airline_sentiment",
    shipped: Annotated[
        bool,
        typer.Option(
            "--shipped",
            help="Score the model's own sentiment head (OMBUDS_ANALYSIS_MODEL) instead of training one.",
        ),
    ] = False,
    as_json: JsonOption = False,
    model: ModelOption = "fast",
    epochs: EpochsOption = None,
) -> None:
    """Train sentiment on one file, score it on another; prints accuracy, macro-F1, per class, speed."""
    if (train is None) == (not shipped):
        raise fail("give --train FILE to learn from, or --shipped to score the model as shipped")
    if shipped and model != "fast":
        raise fail("--shipped scores the fast model as shipped; --model accurate needs --train")
    _evaluate(
        "sentiment",
        train,
        test,
        text_col,
        label_col,
        None,
        0,
        [],
        as_json=as_json,
        model=model,
        epochs=epochs,
    )


@app.command("category")
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
    as_json: JsonOption = False,
    model: ModelOption = "fast",
    epochs: EpochsOption = None,
) -> None:
    """Learn categories from one file (optionally a few per category), score them on another."""
    from ombuds_lab.enrichment.evaluate import UNDECIDED_LABELS

    excluded = list(UNDECIDED_LABELS) if exclude is None else exclude
    _evaluate(
        "category",
        train,
        test,
        text_col,
        label_col,
        shots,
        seed,
        excluded,
        as_json=as_json,
        model=model,
        epochs=epochs,
    )


def _evaluate(
    analyzer: str,
    train: Path | None,
    test: Path,
    text_col: str,
    label_col: str,
    shots: int | None,
    seed: int,
    exclude: list[str],
    *,
    as_json: bool,
    model: str = "fast",
    epochs: int | None = None,
) -> None:
    from ombuds.enrichment.training import DataError
    from ombuds_lab.enrichment.evaluate import EvalRequest, evaluate

    if model not in MODELS:
        raise fail(f"--model must be one of {', '.join(MODELS)}, not {model!r}")
    request = EvalRequest(analyzer, train, test, text_col, label_col, shots, seed, exclude, model, epochs)
    try:
        result = evaluate(request)
    except (DataError, ValueError) as exc:
        raise fail(str(exc)) from exc
    show_report(result, as_json=as_json)


@app.command("promises")
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
    as_json: JsonOption = False,
) -> None:
    """Assign each test message to the promise it contradicts; print accuracy, macro_f1, per_class."""
    from ombuds.errors import InvalidInput
    from ombuds_lab.promises.evaluation import PromiseEvalRequest, evaluate_promises

    request = PromiseEvalRequest(
        promises=promises, test=test, label_col=label_col, text_col=text_col, train=train
    )
    try:
        result = evaluate_promises(request)
    except InvalidInput as exc:
        raise fail(str(exc)) from exc
    show_report(result, as_json=as_json)
