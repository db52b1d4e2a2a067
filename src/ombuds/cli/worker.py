"""``ombuds worker``: run the pipeline's stages for ``ombuds serve`` with OMBUDS_RUNNER=celery."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from sqlalchemy import make_url

from ombuds.cli.base import console, fail, open_database
from ombuds.settings import get_settings


def worker(
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            "-c",
            min=0,
            help="Processes taking tasks; 0: one per core of this machine.",
        ),
    ] = 0,
    periodic: Annotated[
        bool,
        typer.Option(
            "--periodic/--no-periodic",
            help="Also run the periodic work (alerts, SLA clocks, reminders) in turn with the other "
            "workers; --no-periodic keeps this worker to the pipeline.",
        ),
    ] = True,
) -> None:
    """Run pipeline stages handed out through Redis (OMBUDS_REDIS_URL) on PostgreSQL.

    Start as many as the load needs, on one machine or several; they share the work. Each sweeps
    for mentions stuck in a stage and sends alerts, in turn, every OMBUDS_WORKER_SWEEP_SECONDS.
    """
    from ombuds.pipeline.distributed import require_postgresql
    from ombuds.worker import run_worker

    settings = get_settings()
    engine, _ = open_database(settings)
    try:
        require_postgresql(engine)
    except RuntimeError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    processes = concurrency or os.cpu_count() or 1
    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    redis_at = make_url(settings.redis_url).render_as_string(hide_password=True)
    console.print(
        f"Ombuds worker: {processes} processes, database {where}, Redis {redis_at}", highlight=False
    )
    raise typer.Exit(run_worker(settings, concurrency=processes, periodic=periodic))


def register(app: typer.Typer) -> None:
    app.command()(worker)
