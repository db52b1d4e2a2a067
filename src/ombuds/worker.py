"""``ombuds worker``: a Celery worker process that runs the pipeline's stages (the distributed runner)."""

from __future__ import annotations

import socket

from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine
from ombuds.pipeline.runner_celery import QUEUE, SWEEP_QUEUE, housekeeping_step, make_celery
from ombuds.serve import background_work
from ombuds.settings import Settings


def run_worker(settings: Settings, *, concurrency: int, periodic: bool = True, loglevel: str = "INFO") -> int:
    """Run tasks until stopped (SIGTERM or Ctrl-C finish the tasks in hand); returns the exit code.

    ``concurrency`` pool processes take tasks. The sweep runs on one worker of all those started,
    once per ``worker_sweep_seconds``, followed, unless ``periodic`` is off, by the periodic work
    (alerts, SLA clocks, reminders), which the workers dedicated to the pipeline can leave out.
    """
    # Loaded and run once here, before the pool forks, so every pool process shares the models
    # (their lazily loaded parts too) instead of taking seconds each on its first task.
    load_default_engine().analyze([MentionFacts(text="Warming up: my bag never arrived 😡")])
    after_sweep = (lambda factory: background_work(factory, settings)) if periodic else None
    app = make_celery(settings, after_sweep=after_sweep)
    app.steps["worker"].add(housekeeping_step(settings))
    worker = app.Worker(
        hostname=f"ombuds-{socket.gethostname()}-%i@%h",
        concurrency=concurrency,
        pool="prefork",
        queues=[QUEUE, SWEEP_QUEUE],
        loglevel=loglevel,
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
    )
    worker.start()
    return int(worker.exitcode or 0)
