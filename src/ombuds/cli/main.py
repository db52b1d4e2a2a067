"""The ``ombuds`` app: every command group, added in the order ``ombuds --help`` lists them.

Groups from other installed packages (the lab's ``eval`` and ``bench``) come last, found through
the ``ombuds.commands`` entry points (``extensions.py``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from ombuds import __version__
from ombuds.cli import (
    alerts,
    availability,
    brand,
    db,
    demo,
    digest,
    importing,
    metrics,
    pipeline,
    privacy,
    promises,
    replay,
    replies,
    report,
    serve,
    sources,
    team,
    team_members,
    token,
    train,
    user,
    worker,
)
from ombuds.cli.base import fail
from ombuds.cli.extensions import add_command_groups
from ombuds.pipeline.heap import tune_collector
from ombuds.settings import SecretKeyUnusable, get_settings

app = typer.Typer(
    help="Ombuds: the customer-voice desk where PR and customer care work as one.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ombuds {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Ombuds: the customer-voice desk where PR and customer care work as one."""
    tune_collector()  # serve, worker, pipeline run and bench run the stages in this process
    try:
        settings = get_settings()
        kept = settings.data_dir / "secret_key"
        # a kept key that cannot serve stops any command in one line (the demo keeps its own)
        if not settings.secret_key and ctx.invoked_subcommand != "demo" and kept.exists():
            settings.resolved_secret_key()
    except ValidationError as exc:
        raise fail(settings_problems(exc)) from exc
    except SecretKeyUnusable as exc:
        raise fail(str(exc)) from exc


def settings_problems(exc: ValidationError) -> str:
    """What is wrong with the environment's settings, each naming its variable."""
    said = []
    for error in exc.errors():
        variable = "OMBUDS_" + "_".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        said.append(message if variable in message else f"{variable}: {message}")
    return "; ".join(said)


for module in (serve, worker, demo, importing, replay, train):
    module.register(app)
availability.register(user.app)
team.app.add_typer(team_members.app, name="member")
for name, group in (
    ("db", db.app),
    ("brand", brand.app),
    ("user", user.app),
    ("team", team.app),
    ("token", token.app),
    ("pipeline", pipeline.app),
    ("alerts", alerts.app),
    ("promises", promises.app),
    ("digest", digest.app),
    ("metrics", metrics.app),
    ("report", report.app),
    ("replies", replies.app),
    ("privacy", privacy.app),
    ("source", sources.source_app),
    ("sources", sources.sources_app),
):
    app.add_typer(group, name=name)
add_command_groups(app)
