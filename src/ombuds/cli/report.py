"""``ombuds report``: the ombudsman's weekly report for executives, by email."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import console, database, fail, mail_or_fail
from ombuds.settings import get_settings

app = typer.Typer(help="The ombudsman's weekly report for executives.", no_args_is_help=True)


@app.command("send")
def send(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand.")],
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to", help="Send to this address (repeatable); default: the brand's admins and managers."
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the email's HTML to this file.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plain-text report instead of sending it.")
    ] = False,
) -> None:
    """Email the five problems costing customers most, what was fixed and whether customers
    noticed, and the promises customers contradict most with three voices each (the SMTP server of
    the alerts settings, like the digest; a PDF of the same page is attached)."""
    from ombuds.accounts import queries as account_queries
    from ombuds.errors import OmbudsError
    from ombuds.metrics.mail import digest_readers
    from ombuds.reports.mail import render_html, render_text, report_url, send_report
    from ombuds.reports.ombudsman import ombudsman_report

    settings = get_settings()
    try:
        with database(settings) as factory, factory() as session:
            found = account_queries.get_brand_by_slug_or_raise(session, brand)
            report = ombudsman_report(session, brand=found)
            readers = list(to or digest_readers(session, found))
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if html is not None:
        html.write_text(render_html(report, url=report_url(settings)))
    if dry_run:
        typer.echo(render_text(report, url=report_url(settings)), nl=False)
        return
    mail_or_fail(
        "report",
        brand=brand,
        readers=readers,
        send=lambda: send_report(report, to=readers, settings=settings),
        settings=settings,
    )
    console.print(
        f"{brand}: the ombudsman's report of {report.first_day:%Y-%m-%d} to {report.last_day:%Y-%m-%d} "
        f"sent to {', '.join(readers)}"
    )
