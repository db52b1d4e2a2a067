"""CLI commands of this package, added to the ``ombuds`` app by ``register``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ombuds.commandline import Groups, console, database, fail, open_database, print_json


def replay_command(
    file: Annotated[
        Path, typer.Argument(help="A timestamped CSV or JSON Lines data set (UTF-8).", show_default=False)
    ],
    preset: Annotated[
        str, typer.Option("--preset", help="Column mapping: airline, twcs, cfpb or generic.")
    ] = "generic",
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
    from ombuds.errors import OmbudsError
    from ombuds.incidents.replay import ReplayResult, replay

    if brand and brand_col:
        raise fail("give either --brand (one brand for the file) or --brand-col (a brand per row), not both")
    if not file.is_file():
        raise fail(f"{file}: no such file")

    def run(database_url: str | None) -> ReplayResult:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from ombuds.db import make_engine, make_session_factory
        from ombuds.migrate import upgrade

        if database_url is None:
            engine, factory = open_database()
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
    for incident in result.incidents:
        typer.echo(
            f"{incident.opened_at}  {incident.brand}  {incident.signal}/{incident.severity}  "
            f"{incident.mention_count} mentions  {incident.representative_text[:100]!r}"
        )


alerts_app = typer.Typer(help="Where incident alerts go, and sending them.", no_args_is_help=True)


@alerts_app.command("add-channel")
def add_channel_command(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand whose incidents alert.")],
    kind: Annotated[str, typer.Option("--kind", help="webhook (Slack-compatible) or email.")],
    target: Annotated[str, typer.Option("--target", help="The webhook URL or the email address.")],
    name: Annotated[str | None, typer.Option("--name", help="What to call the channel.")] = None,
    min_severity: Annotated[
        str, typer.Option("--min-severity", help="low, medium, high or critical: quieter incidents skip it.")
    ] = "medium",
    quiet_hours: Annotated[
        str | None,
        typer.Option(
            "--quiet-hours", help="Local hours FROM-UNTIL (e.g. 22-7) when only critical alerts go out."
        ),
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="IANA zone of the quiet hours.")] = "UTC",
) -> None:
    """Send a brand's incident alerts to a webhook or an email address."""
    from ombuds.accounts.queries import get_brand_by_slug_or_raise
    from ombuds.db import transaction
    from ombuds.errors import OmbudsError
    from ombuds.incidents.alerts import add_channel
    from ombuds.incidents.detectors import Severity
    from ombuds.incidents.models import AlertKind

    try:
        chosen_kind = AlertKind(kind)
        severity = Severity(min_severity)
    except ValueError as exc:
        raise fail(f"{exc}; kinds: webhook, email; severities: low, medium, high, critical") from exc
    quiet_from = quiet_until = None
    if quiet_hours:
        start, _, end = quiet_hours.partition("-")
        if not (start.isdigit() and end.isdigit()):
            raise fail(f"--quiet-hours {quiet_hours!r}: write FROM-UNTIL in whole hours, e.g. 22-7")
        quiet_from, quiet_until = int(start), int(end)
    try:
        with database() as factory, transaction(factory) as session:
            found = get_brand_by_slug_or_raise(session, brand)
            channel = add_channel(
                session,
                brand_id=found.id,
                name=name or f"{kind} {target}",
                kind=chosen_kind,
                target=target,
                min_severity=severity,
                quiet_from_hour=quiet_from,
                quiet_until_hour=quiet_until,
                timezone=timezone,
            )
            print_json({"id": channel.id, "brand": brand, "kind": kind, "target": target})
    except OmbudsError as exc:
        raise fail(str(exc)) from exc


@alerts_app.command("send")
def send_command() -> None:
    """Send every webhook and email alert that is due now; prints what happened as JSON."""
    from ombuds.incidents.delivery import deliver_due_alerts

    with database() as factory:
        report = deliver_due_alerts(factory)
    print_json({"sent": len(report.sent), "retrying": len(report.retrying), "failed": len(report.failed)})


def register(groups: Groups) -> None:
    """Add this package's commands to the CLI groups."""
    groups.root.command("replay")(replay_command)
    groups.root.add_typer(alerts_app, name="alerts")
