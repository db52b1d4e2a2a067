"""``ombuds train``: a brand's models learn from a file of labelled examples, or its accurate
model from the examples the brand already has (imported rows and agents' corrections)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ombuds.cli.base import database, fail, print_json
from ombuds.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

TextOption = Annotated[str, typer.Option("--text-col", help="Column with the message text.")]


def train(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand whose models learn.")],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="CSV with a text column and label columns. Without it, --accurate learns from the "
            "examples the brand already has (imported rows and agents' corrections).",
        ),
    ] = None,
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
    accurate: Annotated[
        bool,
        typer.Option(
            "--accurate",
            help="Also fine-tune the brand's accurate model (MiniLM, on the CPU: minutes) on all "
            "its examples; sentiment, category and intent then read with it.",
        ),
    ] = False,
    epochs: Annotated[
        int | None,
        typer.Option(
            "--epochs",
            min=1,
            help="Passes over the examples (--accurate; default: 3, or as many as 1,000 steps take, "
            "at most 5).",
        ),
    ] = None,
) -> None:
    """Add labelled examples for a brand and retrain its models; prints what was learned."""
    from ombuds.db import transaction
    from ombuds.enrichment.example_files import read_example_columns
    from ombuds.enrichment.retraining import train_from_file
    from ombuds.enrichment.training import DataError
    from ombuds.errors import OmbudsError

    if source is None and not accurate:
        raise fail(
            "nothing to learn from: give --from FILE.csv, or --accurate to fine-tune the accurate "
            "model on the examples the brand already has (its fast models learn agents' "
            "corrections by themselves)"
        )
    try:
        columns = (
            read_example_columns(source, text_col=text_col, label_cols=label_col, analyzer=analyzer)
            if source is not None
            else None
        )
    except DataError as exc:
        raise fail(str(exc)) from exc
    settings = get_settings()
    try:
        with database(settings) as factory:
            result: dict[str, Any] = {"brand": brand, "analyzers": {}}
            if source is not None and columns is not None:
                with transaction(factory) as session:
                    result = train_from_file(session, brand_slug=brand, columns=columns, source=source.name)
            if accurate:
                result["accurate"] = _train_accurate(factory, settings, brand, epochs)
    except (OmbudsError, DataError, ValueError) as exc:
        raise fail(str(exc)) from exc
    print_json(result)


def _train_accurate(
    factory: sessionmaker[Session], settings: Settings, brand: str, epochs: int | None
) -> dict[str, Any]:
    """Fine-tune outside any transaction (minutes), then record the saved model in a short one."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from sqlalchemy import select

    from ombuds.accounts.models import Brand
    from ombuds.db import transaction
    from ombuds.enrichment.accurate.export import comparison_texts, export_for_inference
    from ombuds.enrichment.accurate.recipe import Recipe, reading_version
    from ombuds.enrichment.accurate.store import Pointer, brand_folder, prune_versions
    from ombuds.enrichment.accurate.tuning import fine_tune
    from ombuds.enrichment.retraining import (
        brand_examples,
        current_accurate_pointer,
        newest_example_id,
        recent_texts,
        record_accurate_model,
    )
    from ombuds.errors import NotFound

    with factory() as session:
        brand_id = session.scalar(select(Brand.id).where(Brand.slug == brand))
        if brand_id is None:
            raise NotFound(f"brand {brand!r} not found")
        # read first: examples added while it tunes are new to the next tuning
        learnt_up_to = newest_example_id(session, brand_id)
        # a head with one label alone has nothing to tell apart (fine_tune would refuse it)
        examples = {
            head: rows
            for head, rows in brand_examples(session, brand_id).items()
            if len({label for _, label in rows}) > 1
        }
    if not examples:
        raise ValueError(
            f"brand {brand!r} has no examples to learn from yet (a sentiment, category or intent "
            "with two labels or more): add some with --from FILE.csv, or correct the labels of "
            "its mentions in the inbox"
        )
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("fine-tuning MiniLM"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("steps, time left"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    started = time.perf_counter()
    with bar:
        task = bar.add_task("tune", total=None)
        model = fine_tune(
            examples,
            Recipe(epochs=epochs, threads=settings.accurate_threads),
            progress=lambda done: bar.update(task, completed=done.done, total=done.total),
        )
    seconds = time.perf_counter() - started
    folder = settings.data_dir / brand_folder(brand_id, model.version)
    model.save(folder)
    with console.status("exporting for reading (ONNX, int8 where it reads as trained)"):
        learnt = [text for rows in examples.values() for text, _ in rows]
        with factory() as session:
            texts = comparison_texts(recent_texts(session, brand_id), learnt)
        export = export_for_inference(folder, texts, threads=settings.accurate_threads)
    # the version on the brand's row and on every row it reads says how it reads (….int8)
    pointer = Pointer(brand_folder(brand_id, model.version), reading_version(model.version, export.reading))
    with transaction(factory) as session:
        replaced = current_accurate_pointer(session, brand_id)
        record_accurate_model(
            session, brand_id=brand_id, pointer=pointer, examples=model.examples, learnt_up_to=learnt_up_to
        )
    kept = [pointer.folder, *([replaced.folder] if replaced else [])]
    pruned = prune_versions(settings.data_dir, brand_id, kept)
    return {
        "version": pointer.version,
        "folder": str(folder),
        "export": export.as_dict(),
        "heads": {head: list(linear.classes) for head, linear in model.heads.items()},
        "examples": model.examples,
        "epochs": model.recipe.epochs,
        "seconds": round(seconds, 1),
        "removed": pruned,
    }


def register(app: typer.Typer) -> None:
    app.command("train")(train)
