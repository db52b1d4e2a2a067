"""``ombuds pipeline``: look at and drive the pipeline without serving the app."""

from __future__ import annotations

import typer
from rich.table import Table

from ombuds.cli.base import console, database, print_json
from ombuds.settings import get_settings

app = typer.Typer(help="The enrich → thread → route → detect pipeline.", no_args_is_help=True)


@app.command("run")
def run(json_output: bool = typer.Option(False, "--json", help="Print a JSON summary.")) -> None:
    """Process every waiting mention now (``ombuds serve`` does this in the background)."""
    from ombuds.pipeline.runner_inline import count_waiting, run_until_idle
    from ombuds.pipeline.sidecar import sidecar_for

    settings = get_settings()
    with database(settings) as factory, console.status("processing waiting mentions…"):
        with factory() as session:
            waiting = count_waiting(session).get("ingested", 0)
        sidecar = sidecar_for(factory.kw["bind"], settings, waiting=waiting)
        if sidecar is not None and not sidecar.start():
            sidecar = None
        try:
            report = run_until_idle(factory, batch_size=settings.pipeline_batch_size, sidecar=sidecar)
        finally:
            if sidecar is not None:
                sidecar.close()
    summary = {"advanced": dict(report.advanced), "failed": report.failed}
    if json_output:
        print_json(summary)
    else:
        console.print(f"advanced {dict(report.advanced) or 'nothing'}; {report.failed} failed")


@app.command("retry")
def retry(
    brand: str | None = typer.Option(None, help="Slug of one brand; default: every brand."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Send the mentions a stage failed on back to that stage, once what failed is mended; the
    runner (``ombuds serve``, or ``ombuds pipeline run``) takes them as new."""
    from ombuds.accounts.queries import get_brand_by_slug
    from ombuds.pipeline.failures import retry_failed

    with database(get_settings()) as factory, factory.begin() as session:
        brand_id = None
        if brand is not None:
            found = get_brand_by_slug(session, brand)
            if found is None:
                console.print(f"[red]--brand: no brand {brand[:40]!r}[/red]")
                raise typer.Exit(2)
            brand_id = found.id
        sent = retry_failed(session, brand_id=brand_id)
    if json_output:
        print_json({"retried": sent})
    elif sent:
        console.print("sent back: " + ", ".join(f"{count} to {stage}" for stage, count in sent.items()))
    else:
        console.print("no mention has failed")


@app.command("status")
def status(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """How many mentions sit at each stage, and how fast each analysis path read lately."""
    from ombuds.clock import utcnow
    from ombuds.enrichment.paths import RECENT, count_reread_waiting, recent_paths
    from ombuds.pipeline.runner_inline import count_waiting

    with database(get_settings()) as factory, factory() as session:
        counts = count_waiting(session)
        paths = recent_paths(session, now=utcnow())
        waiting = count_reread_waiting(session)
    minutes = int(RECENT.total_seconds() // 60)
    if json_output:
        analysis = {
            path: {
                "mentions": figure.mentions,
                "seconds": round(figure.seconds, 3),
                "messages_per_second": figure.messages_per_second,
                "share": figure.share,
            }
            for path, figure in paths.items()
        }
        print_json(
            {
                "stages": counts,
                "analysis": analysis,
                "window_seconds": int(RECENT.total_seconds()),
                "reread_waiting": waiting,
            }
        )
        return
    table = Table("stage passed", "mentions")
    for stage, count in sorted(counts.items()):
        table.add_row(stage, str(count))
    console.print(table)
    if counts.get("failed"):
        console.print(
            f"{counts['failed']} failed: their pipeline.failed events say why; once it is mended, "
            "`ombuds pipeline retry` sends them back",
            soft_wrap=True,
        )
    reading = Table(f"analysis path (last {minutes} min)", "mentions", "messages/s", "share")
    for path, figure in paths.items():
        speed = figure.messages_per_second
        reading.add_row(
            path,
            str(figure.mentions),
            "-" if speed is None else f"{speed:,.1f}",
            "-" if figure.share is None else f"{figure.share:.0%}",
        )
    console.print(reading)
    console.print(f"read fast in a burst, waiting for the accurate model: {waiting}")
