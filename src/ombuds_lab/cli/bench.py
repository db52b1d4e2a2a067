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
