"""``ombuds worker``: a Celery worker process that runs the pipeline's stages (the distributed runner).

The Celery worker runs in a child process that this one starts again when it dies of an error.
Celery waits out a Redis restart by itself, but a reconnection that meets messages still to be
given back ends it with "Unrecoverable error" (a fault of its Redis transport, kombu's
``restore_unacked`` on a closed connection): without a keeper the desk would stop analysing until
someone restarted the worker. A stop asked for (SIGTERM, Ctrl-C) ends both as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable
from types import FrameType

from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine
from ombuds.pipeline.runner_celery import QUEUE, SWEEP_QUEUE, housekeeping_step, make_celery
from ombuds.serve import background_work
from ombuds.settings import Settings

log = logging.getLogger(__name__)

#: How long to wait before starting a worker that died: short enough that the desk hardly notices.
RESTART_DELAY = 2.0
#: A worker that dies sooner than this after its start waits twice as long as the last one before
#: the next start, up to ``LONGEST_DELAY``: a setting that cannot work (a wrong Redis password)
#: does not restart it every two seconds all night.
SETTLED_SECONDS = 60.0
LONGEST_DELAY = 60.0


def next_delay(last: float | None, *, lived: float, first: float = RESTART_DELAY) -> float:
    """The wait before starting again a worker that ran ``lived`` seconds (``last``: the wait before
    that start, None for the first)."""
    if last is None or lived >= SETTLED_SECONDS:
        return first
    return min(last * 2, LONGEST_DELAY)


def run_worker(settings: Settings, *, concurrency: int, periodic: bool = True, loglevel: str = "INFO") -> int:
    """Run tasks until stopped (SIGTERM or Ctrl-C finish the tasks in hand); returns the exit code.

    ``concurrency`` pool processes take tasks. The sweep runs on one worker of all those started,
    once per ``worker_sweep_seconds``, followed, unless ``periodic`` is off, by the periodic work
    (alerts, SLA clocks, reminders), which the workers dedicated to the pipeline can leave out.
    """
    # Loaded and run once here, before any fork, so every worker and pool process shares the
    # models (their lazily loaded parts too) instead of taking seconds each on its first task.
    load_default_engine().analyze([MentionFacts(text="Warming up: my bag never arrived 😡")])
    return keep_running(
        lambda: _celery_worker(settings, concurrency=concurrency, periodic=periodic, loglevel=loglevel)
    )


def _celery_worker(settings: Settings, *, concurrency: int, periodic: bool, loglevel: str) -> int:
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


def keep_running(work: Callable[[], int], *, delay: float = RESTART_DELAY) -> int:
    """Run ``work`` in a forked child, and again after ``delay`` seconds (longer while it keeps dying
    young: ``next_delay``) whenever it ends in an error (an exit code other than 0, or a signal
    nobody here sent); the code it ended with once stopped.

    SIGTERM and SIGINT stop it: passed on to the child (a terminal's Ctrl-C reaches the child by
    itself, so SIGINT is not sent twice, which Celery would take for a cold shutdown), and no new
    child is started after.
    """
    stopping = False
    child = 0
    wait: float | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child and signum == signal.SIGTERM:
            with contextlib.suppress(ProcessLookupError):  # it ended a moment ago
                os.kill(child, signal.SIGTERM)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            started = time.monotonic()
            child = os.fork()
            if child == 0:  # pragma: no cover - the child's own exit is its report
                for number, handler in previous.items():
                    signal.signal(number, handler)
                code = 1
                try:
                    code = work()
                except BaseException:  # told, then ended without running the parent's cleanup
                    traceback.print_exc()
                finally:
                    os._exit(code)
            _, status = os.waitpid(child, 0)
            code = os.waitstatus_to_exitcode(status)
            if stopping or code == 0:
                return max(code, 0)
            wait = next_delay(wait, lived=time.monotonic() - started, first=delay)
            log.error("the worker ended with %s; starting it again in %.0f s", _ending(code), wait)
            resume = time.monotonic() + wait
            while not stopping and time.monotonic() < resume:  # a stop cuts the wait short
                time.sleep(min(0.1, wait))
            if stopping:
                return 0
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _ending(code: int) -> str:
    return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
