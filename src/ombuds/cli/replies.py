"""``ombuds replies``: deliver the replies waiting in the outbox."""

from __future__ import annotations

import typer

from ombuds.cli.base import database, print_json
from ombuds.settings import get_settings

app = typer.Typer(help="Replies to customers: send what the outbox holds.", no_args_is_help=True)


@app.command("send")
def send_command() -> None:
    """Send every queued reply that is due now through its brand's sink; prints what happened as JSON.

    A reply on a channel no sink serves is recorded as sent and marked for posting by hand.
    """
    from ombuds.responses.sending import deliver_due_replies

    with database(get_settings()) as factory:
        report = deliver_due_replies(factory)
    print_json(
        {
            "sent": len(report.sent),
            "manual": len(report.manual),
            "retrying": len(report.retrying),
            "failed": len(report.failed),
        }
    )
