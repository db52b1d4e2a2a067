"""``ombuds bench``: speed on this machine (a table, or JSON with ``--json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import fail, show_report
from ombuds_lab.cli.evaluate import JsonOption, TextOption

app = typer.Typer(help="Measure speed on this machine.", no_args_is_help=True)


@app.command("enrichment")
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
    as_json: JsonOption = False,
) -> None:
    """Messages per second and peak memory of the full analysis path on this machine."""
    from ombuds.enrichment.training import DataError
    from ombuds_lab.enrichment.benchmark import run_benchmark

    try:
        result = run_benchmark(
            count=count, batch_size=batch_size, sources=sources, text_col=text_col, workers=workers
        )
    except DataError as exc:
        raise fail(str(exc)) from exc
    show_report(result, as_json=as_json)


@app.command("pipeline")
def bench_pipeline(
    mentions: Annotated[
        int, typer.Option("--mentions", min=1, help="How many mentions to feed through.")
    ] = 20_000,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate",
            help="Accept this many mentions a second, steadily (default: as fast as the pipeline takes them).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Measure the distributed runner instead: this many `ombuds worker` processes on a "
            "throw-away PostgreSQL and Redis.",
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Mentions per pipeline batch.")
    ] = 500,
    in_flight: Annotated[
        int,
        typer.Option(
            "--in-flight", min=1, help="Without --rate: mentions kept accepted but not yet processed."
        ),
    ] = 1000,
    data_file: Annotated[
        Path | None,
        typer.Option("--from", help="Airline-shaped CSV (default: airline_dev.csv beside the repository)."),
    ] = None,
    sidecar: Annotated[
        bool,
        typer.Option(
            "--sidecar/--no-sidecar",
            help="Embedded runner: compute analysis and detection in a second process, as `ombuds serve` does.",
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Mentions per second through every stage (embedded runner, SQLite), and from acceptance to
    the inbox listing its case (p50, p95)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ombuds.cli.base import console
    from ombuds_lab.pipeline_bench import DEFAULT_FILE, BenchmarkError, run_pipeline_benchmark
    from ombuds_lab.pipeline_bench_distributed import run_distributed_benchmark

    progress = Progress(
        TextColumn("pipeline"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    )
    with progress:
        task = progress.add_task("mentions", total=mentions)
        try:
            if workers is None:
                result = run_pipeline_benchmark(
                    count=mentions,
                    rate=rate,
                    in_flight=in_flight,
                    batch_size=batch_size,
                    data_file=data_file or DEFAULT_FILE,
                    on_progress=lambda done: progress.update(task, completed=done),
                    with_sidecar=sidecar,
                )
            else:
                result = run_distributed_benchmark(
                    count=mentions,
                    workers=workers,
                    rate=rate,
                    in_flight=in_flight,
                    batch_size=batch_size,
                    data_file=data_file or DEFAULT_FILE,
                    on_progress=lambda done: progress.update(task, completed=done),
                )
        except BenchmarkError as exc:
            raise fail(str(exc)) from exc
    show_report(result.as_json(), as_json=as_json)
