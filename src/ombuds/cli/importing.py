"""``ombuds import``: mentions from a CSV or JSON Lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import MapOption, console, database, fail, print_json
from ombuds.settings import get_settings


def import_file(
    file: Annotated[Path, typer.Argument(help="A CSV or JSON Lines file (UTF-8).", show_default=False)],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand the mentions belong to.")],
    preset: Annotated[
        str, typer.Option("--preset", help="Column mapping: airline, twcs, cfpb or generic.")
    ] = "generic",
    map_options: MapOption = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Name of the import source (default: the preset's name)."),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Where to write rejected records (default: DATA_DIR/rejects/)."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=10_000, help="Records per transaction.")
    ] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Import mentions from a CSV or JSON Lines file; importing the same records again adds nothing.

    Unusable records go to a rejects file with their line and reason (see docs/importing.md).
    The summary accounts for every record: read = imported + duplicates + rejected.
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from ombuds.errors import InvalidInput, OmbudsError
    from ombuds.mentions.importing import open_import, run_import
    from ombuds.mentions.presets import parse_map_option
    from ombuds.mentions.rejects import RejectsFile, default_rejects_path

    settings = get_settings()
    try:
        rejects_file = RejectsFile(
            rejects or default_rejects_path(settings.data_dir / "rejects", file), numbered=rejects is None
        )
    except (FileExistsError, NotADirectoryError, PermissionError) as exc:
        raise fail(str(exc)) from exc
    try:
        overrides = [parse_map_option(option) for option in map_options or []]
        fetcher, field_map = open_import(file, preset_name=preset, overrides=overrides, batch_size=batch_size)
    except InvalidInput as exc:
        raise fail(str(exc)) from exc
    progress = Progress(
        TextColumn(f"importing {file.name}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with fetcher, rejects_file, progress:
        task = progress.add_task("import", total=fetcher.size)
        try:
            with database(settings) as factory:
                summary = run_import(
                    factory,
                    brand_slug=brand,
                    fetcher=fetcher,
                    field_map=field_map,
                    source_name=source or preset,
                    rejects=rejects_file,
                    on_progress=lambda done: progress.update(task, completed=done),
                )
        except OmbudsError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json(summary.as_json())
        return
    typer.echo(
        f"read {summary.read}: imported {summary.imported}, "
        f"duplicates {summary.duplicates}, rejected {summary.rejected}"
    )
    if summary.rejects_path is not None:
        typer.echo(f"rejected records and reasons: {summary.rejects_path}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
