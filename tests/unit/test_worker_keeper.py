"""``ombuds worker`` keeps its Celery worker running: one that dies of an error (an unrecoverable
broker error, a kill) is started again; one asked to stop stays stopped."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from ombuds.worker import keep_running, next_delay


def _runs(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_worker_that_dies_of_an_error_is_started_again_until_it_ends_well(tmp_path: Path) -> None:
    runs = tmp_path / "runs"

    def work() -> int:
        with runs.open("a") as out:
            out.write("run\n")
        if _runs(runs) == 1:
            return 70  # Celery's exit after "Unrecoverable error"
        if _runs(runs) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    assert keep_running(work, delay=0.01) == 0
    assert _runs(runs) == 3


def test_a_stop_asked_for_ends_the_worker_and_starts_no_other(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def work() -> int:
        started.write_text(str(os.getpid()))
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # as Celery's warm shutdown ends
        while True:
            time.sleep(0.01)

    def stop_when_started() -> None:
        while not started.exists():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)  # to the keeper, as `kill PID` would

    before = signal.getsignal(signal.SIGTERM)
    stopper = threading.Thread(target=stop_when_started)
    stopper.start()
    assert keep_running(work, delay=0.01) == 0
    stopper.join()
    child = int(started.read_text())
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the worker was left running")
    assert signal.getsignal(signal.SIGTERM) is before, "the keeper gives the signal back as it found it"


def test_a_worker_that_keeps_dying_young_waits_longer_each_time_and_a_settled_one_starts_afresh() -> None:
    waits = [next_delay(None, lived=1.0)]
    for _ in range(6):
        waits.append(next_delay(waits[-1], lived=1.0))
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert next_delay(60.0, lived=3600.0) == 2.0, "after a long run, a death is news again"
