"""``ombuds worker``: a Celery worker process that runs the pipeline's stages (the distributed runner).

The Celery worker runs in a child process that this one starts again whenever it ends unasked.
Celery waits out a Redis restart by itself, but a reconnection that meets messages still to be
given back ends it with "Unrecoverable error" (a fault of its Redis transport, kombu's
``restore_unacked`` on a closed connection): without a keeper the desk would stop analysing until
someone restarted the worker. A stop asked for (SIGTERM, Ctrl-C) ends both as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
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
    # the keeper's own lines (a restart) read like the worker's; Celery sets up its own in the child
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s: %(levelname)s/Keeper] %(message)s")
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


#: The signals the keeper answers: SIGTERM and SIGINT stop it, SIGHUP starts a fresh worker.
_HANDLED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when the one that started it ends


def keep_running(work: Callable[[], int], *, delay: float = RESTART_DELAY) -> int:
    """Run ``work`` in a forked child, and again whenever it ends without a stop asked for: after
    ``delay`` seconds, longer while it keeps dying young (``next_delay``). Returns the code the
    child ended with once stopped.

    SIGTERM and SIGINT stop it: passed on to the child (but for a Ctrl-C typed in the terminal,
    which reaches the child by itself: a second SIGINT is Celery's cold shutdown), and no child is
    started after. SIGHUP ends the child as SIGTERM does and starts a fresh one at once. The child
    gets SIGTERM if the keeper itself dies (killed, or out of memory), so no worker runs unkept.
    """
    stopping = reloading = False
    child = 0
    wait: float | None = None

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping, reloading
        forward: int = signal.SIGTERM
        if signum == signal.SIGHUP:
            reloading = True
        else:
            stopping = True
            if signum == signal.SIGINT:
                if _typed_in_the_terminal():
                    return
                forward = signal.SIGINT
        if child:
            with contextlib.suppress(ProcessLookupError):  # it ended a moment ago
                os.kill(child, forward)

    previous = {number: signal.signal(number, on_signal) for number in _HANDLED}
    keeper = os.getpid()
    try:
        while True:
            started = time.monotonic()
            # no signal between the fork and knowing the child's pid, nor before the child's own handlers
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HANDLED)
            child = os.fork()
            if child == 0:  # pragma: no cover - the child's own exit is its report
                for number, handler in previous.items():
                    signal.signal(number, handler)
                _end_with(keeper)
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                code = 1
                try:
                    code = work()
                except KeyboardInterrupt:  # a Ctrl-C before Celery's handlers: a stop, not a fault
                    code = 128 + signal.SIGINT
                except BaseException:  # told, then ended without running the keeper's cleanup
                    traceback.print_exc()
                finally:
                    os._exit(code)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            code = _wait_for(child)
            child = 0
            if stopping:
                return code if code >= 0 else 128 - code
            if reloading:
                reloading, wait = False, None
                log.warning("the worker was asked to start afresh (SIGHUP): starting a new one")
                continue
            wait = next_delay(wait, lived=time.monotonic() - started, first=delay)
            log.error("the worker ended with %s; starting it again in %.0f s", _ending(code), wait)
            resume = time.monotonic() + wait
            while not stopping and not reloading and time.monotonic() < resume:  # a signal cuts it short
                time.sleep(min(0.1, wait))
            if stopping:
                return 0
            reloading = False
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _typed_in_the_terminal() -> bool:
    """Is this process in its terminal's foreground group, so that a Ctrl-C reached the child too?"""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def _end_with(keeper: int) -> None:
    """In the child: be sent SIGTERM when the keeper ends, however it ends (Linux's prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if os.getppid() != keeper:  # it ended before the line above
        os._exit(0)


def _wait_for(child: int) -> int:
    """The child's exit code (negative: the signal that ended it). As a container's first process
    the keeper also reaps the processes left to it (the pool of a worker killed outright)."""
    if os.getpid() != 1:
        return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == child:
            return os.waitstatus_to_exitcode(status)


def _ending(code: int) -> str:
    return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
