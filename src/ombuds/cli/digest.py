"""``ombuds digest``: the weekly executive digest by email."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombuds.cli.base import console, database, fail, mail_or_fail
from ombuds.settings import get_settings

app = typer.Typer(help="The weekly executive digest.", no_args_is_help=True)


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
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also write the digest as a PDF to this file.")
    ] = None,
) -> None:
    """Email last week's outcomes (Monday to Sunday in the brand's time zone) against the week
    before, the promise scorecard, the week's incidents and three customer voices (the SMTP server
    of the alerts settings)."""
    from ombuds.accounts import queries as account_queries
    from ombuds.errors import OmbudsError
    from ombuds.metrics.digest import render_html, weekly_digest
    from ombuds.metrics.mail import dashboard_url, digest_readers, send_digest

    settings = get_settings()
    try:
        with database(settings) as factory, factory() as session:
            found = account_queries.get_brand_by_slug_or_raise(session, brand)
            digest = weekly_digest(session, brand=found)
            readers = list(to or digest_readers(session, found))
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if html is not None:
        html.write_text(render_html(digest, dashboard_url=dashboard_url(settings)))
    if pdf is not None:
        from ombuds.metrics.pdf import html_to_pdf

        pdf.write_bytes(html_to_pdf(render_html(digest, dashboard_url=dashboard_url(settings))))
    mail_or_fail(
        "digest",
        brand=brand,
        readers=readers,
        send=lambda: send_digest(digest, to=readers, settings=settings),
        settings=settings,
    )
    console.print(
        f"{brand}: digest of the week of {digest.week:%Y-%m-%d} to {digest.last_day:%Y-%m-%d}"
        f" ({digest.timezone}) sent to {', '.join(readers)}"
    )


@app.command("schedule")
def schedule(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand.")],
    day: Annotated[str, typer.Option("--day", help="Day of the week, in the brand's time zone.")] = "monday",
    hour: Annotated[int, typer.Option("--hour", help="Hour of that day (0-23), the brand's local time.")] = 8,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to", help="Send to this address (repeatable); default: the brand's admins and managers."
        ),
    ] = None,
) -> None:
    """Have `ombuds serve` send the brand's digest once a week, at this day and hour of the brand's
    time zone (its SLA policy's business hours; UTC without one)."""
    from ombuds.accounts import queries as account_queries
    from ombuds.db import transaction
    from ombuds.errors import OmbudsError
    from ombuds.metrics.schedule import DAYS, parse_day
    from ombuds.metrics.scheduling import set_digest_schedule
    from ombuds.routing.queries import brand_timezone

    try:
        weekday = parse_day(day)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    settings = get_settings()
    try:
        with database(settings) as factory, transaction(factory) as session:
            found = account_queries.get_brand_by_slug_or_raise(session, brand)
            set_digest_schedule(session, brand=found, weekday=weekday, hour=hour, recipients=to or [])
            timezone = brand_timezone(session, found.id)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    readers = ", ".join(to) if to else "the brand's admins and managers"
    console.print(
        f"{brand}: the digest goes out every {DAYS[weekday].title()} at {hour:02d}:00 {timezone} time"
        f" to {readers}"
    )
