"""``ombuds replay``: a timestamped data set through the pipeline on its own clock."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import MapOption, console, fail, open_database, print_json
from ombuds.settings import get_settings

#: Skipped records named under the summary (where and why); the rest are counted.
SKIPS_SHOWN = 5


def replay_command(
    file: Annotated[
        Path, typer.Argument(help="A timestamped CSV or JSON Lines data set (UTF-8).", show_default=False)
    ],
    preset: Annotated[
        str, typer.Option("--preset", help="Column mapping: airline, twcs, cfpb or generic.")
    ] = "generic",
    map_options: MapOption = None,
    brand: Annotated[
        str | None, typer.Option("--brand", help="One brand (slug) for every row of the file.")
    ] = None,
    brand_col: Annotated[
        str | None,
        typer.Option("--brand-col", help="The column that names each row's brand (airline: 'airline')."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print one JSON object: {"incidents": [...]}.')
    ] = False,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="Replay into the configured database (OMBUDS_DATABASE_URL or the data folder) and keep "
            "the results; by default a fresh database in a temporary folder is used and thrown away.",
        ),
    ] = False,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=10, max=100_000, help="Mentions fed per pipeline round.")
    ] = 1000,
) -> None:
    """Replay a timestamped data set through the pipeline on its own clock and list the incidents.

    Rows are fed in time order, so detection sees the stream as it happened: an incident's
    opened_at is the moment in the data when it would have opened. Brands named in the data
    are created as needed. Times are ISO 8601 with their UTC offset.
    """
    from ombuds.errors import InvalidInput, OmbudsError
    from ombuds.mentions.presets import parse_map_option
    from ombuds.pipeline.replay import ReplayResult, replay

    if brand and brand_col:
        raise fail("give either --brand (one brand for the file) or --brand-col (a brand per row), not both")
    if not file.is_file():
        raise fail(f"{file}: no such file")
    try:
        overrides = [parse_map_option(option) for option in map_options or []]
    except InvalidInput as exc:
        raise fail(str(exc)) from exc

    def run(database_url: str | None) -> ReplayResult:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from ombuds.db import make_engine, make_session_factory
        from ombuds.migrate import upgrade

        if database_url is None:
            engine, factory = open_database(get_settings())
        else:
            engine = make_engine(database_url)
            upgrade(engine)
            factory = make_session_factory(engine)
        progress = Progress(
            TextColumn(f"replaying {file.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        try:
            with progress:
                task = progress.add_task("replay", total=None)
                return replay(
                    factory,
                    file,
                    preset=preset,
                    brand=brand,
                    brand_column=brand_col,
                    overrides=overrides,
                    chunk_size=chunk_size,
                    on_progress=lambda done, total: progress.update(task, completed=done, total=total),
                )
        finally:
            engine.dispose()

    try:
        if keep:
            result = run(None)
        else:
            with tempfile.TemporaryDirectory(prefix="ombuds-replay-") as folder:
                result = run(f"sqlite:///{Path(folder) / 'replay.db'}")
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json({"incidents": [incident.model_dump() for incident in result.incidents]})
        return
    console.print(
        f"{result.mentions} mentions of {len(result.brands)} brand(s) replayed; "
        f"{result.tally.rejected} unusable records skipped; {len(result.incidents)} incident(s)"
    )
    shown = result.tally.skipped[:SKIPS_SHOWN]
    for skipped in shown:
        console.print(f"  skipped {skipped}", markup=False, highlight=False)
    if result.tally.rejected > len(shown):
        console.print(f"  … and {result.tally.rejected - len(shown)} more skipped")
    for incident in result.incidents:
        typer.echo(
            f"{incident.opened_at}  {incident.brand}  {incident.signal}/{incident.severity}  "
            f"{incident.mention_count} mentions  {incident.representative_text[:100]!r}"
        )


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_command)
