"""``ombuds alerts``: where incident alerts go, and sending them."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds.cli.base import database, fail, print_json
from ombuds.settings import get_settings

app = typer.Typer(help="Where incident alerts go, and sending them.", no_args_is_help=True)


@app.command("add-channel")
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
    from ombuds.incidents.actions import add_channel
    from ombuds.incidents.detectors import Severity
    from ombuds.incidents.models import AlertKind
    from ombuds.timezones import is_time_zone, unknown_zone_message

    try:
        chosen_kind = AlertKind(kind)
        severity = Severity(min_severity)
    except ValueError as exc:
        raise fail(f"{exc}; kinds: webhook, email; severities: low, medium, high, critical") from exc
    quiet_from = quiet_until = None
    if quiet_hours:
        start, _, end = (part.strip() for part in quiet_hours.partition("-"))
        # isascii: "²".isdigit() is true, yet int("²") fails
        if not all(part.isascii() and part.isdigit() and len(part) <= 2 for part in (start, end)):
            raise fail(f"--quiet-hours {quiet_hours!r}: write FROM-UNTIL in whole hours, e.g. 22-7")
        quiet_from, quiet_until = int(start), int(end)
    if not is_time_zone(timezone):
        raise fail(f"--timezone {unknown_zone_message(timezone)}")
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
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


@app.command("send")
def send_command() -> None:
    """Send every webhook and email alert that is due now; prints what happened as JSON."""
    from ombuds.incidents.delivery import deliver_due_alerts

    settings = get_settings()
    with database(settings) as factory:
        report = deliver_due_alerts(factory, settings=settings)
    print_json({"sent": len(report.sent), "retrying": len(report.retrying), "failed": len(report.failed)})
