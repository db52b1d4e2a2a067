"""``ombuds replies``: deliver the replies waiting in the outbox."""

from __future__ import annotations

import typer

from ombuds.cli.base import database, print_json
from ombuds.settings import get_settings

app = typer.Typer(help="Replies to customers: send what the outbox holds.", no_args_is_help=True)


@app.command("send")
def send_command() -> None:
    """Send every queued reply that is due now; prints what happened as JSON.

    A reply goes back through the source its customer wrote from when that source can answer (an
    email source's SMTP server, a Mastodon account, ...), else through the brand's reply sink.

    The replies due go first, then the survey links of newly resolved cases are queued and sent in
    the same run (a case an answer left to post by hand opens again is asked nothing). A reply
    on a channel no sink serves waits for someone to post it by hand and mark it posted ("manual").
    """
    from ombuds.connectors.secrets import secret_box
    from ombuds.responses.outbox_round import outbox_round

    settings = get_settings()
    with database(settings) as factory:
        box = secret_box(settings.resolved_secret_key())
        surveys, report = outbox_round(factory, public_url=settings.alerts_public_url, box=box)
    print_json(
        {
            "survey_links": len(surveys.queued),
            "sent": len(report.sent),
            "manual": len(report.manual),
            "retrying": len(report.retrying),
            "failed": len(report.failed),
        }
    )
