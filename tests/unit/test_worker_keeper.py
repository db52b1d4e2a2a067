"""``ombuds worker`` keeps its Celery worker running: one that ends unasked (an unrecoverable broker
error, a kill, a warm shutdown sent to it alone) is started again; one asked to stop stays
stopped; SIGHUP starts a fresh one; and the worker does not outlive its keeper."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ombuds.worker import keep_running, next_delay


def _runs(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _signal_keeper_when(condition: Callable[[], bool], signum: int) -> threading.Thread:
    def send() -> None:
        while not condition():
            time.sleep(0.01)
        os.kill(os.getpid(), signum)  # to the keeper, as `kill -SIG PID` would

    sender = threading.Thread(target=send)
    sender.start()
    return sender


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_worker_that_ends_unasked_is_started_again_until_a_stop_is_asked_for(tmp_path: Path) -> None:
    runs = tmp_path / "runs"

    def work() -> int:
        # as Celery's warm shutdown ends; set before the run is written, which the stop waits for
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        with runs.open("a") as out:
            out.write("run\n")
        if _runs(runs) == 1:
            return 70  # Celery's exit after "Unrecoverable error"
        if _runs(runs) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        if _runs(runs) == 3:
            return 0  # a warm shutdown sent to the worker alone
        while True:
            time.sleep(0.01)

    before = signal.getsignal(signal.SIGTERM)
    sender = _signal_keeper_when(lambda: _runs(runs) == 4, signal.SIGTERM)
    assert keep_running(work, delay=0.01) == 0
    sender.join()
    assert _runs(runs) == 4
    assert signal.getsignal(signal.SIGTERM) is before, "the keeper gives the signal back as it found it"


def test_sighup_starts_a_fresh_worker_at_once(tmp_path: Path) -> None:
    runs = tmp_path / "runs"

    def work() -> int:
        # the handler first: a stop sent the moment the run is written must find it in place
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        with runs.open("a") as out:
            out.write(f"{os.getpid()}\n")
        while True:
            time.sleep(0.01)

    reload = _signal_keeper_when(lambda: _runs(runs) == 1, signal.SIGHUP)
    stop = _signal_keeper_when(lambda: _runs(runs) == 2, signal.SIGTERM)
    started = time.monotonic()
    assert keep_running(work, delay=30) == 0, "no back-off wait: a reload is asked for"
    reload.join()
    stop.join()
    assert time.monotonic() - started < 20
    first, second = (int(pid) for pid in runs.read_text().split())
    assert first != second
    assert _gone(first)
    assert _gone(second)


def test_the_worker_does_not_outlive_a_keeper_killed_outright(tmp_path: Path) -> None:
    child_pid = tmp_path / "child"
    script = textwrap.dedent(
        f"""
        import os, signal, time
        from ombuds.worker import keep_running

        def work():
            open({str(child_pid)!r}, "w").write(str(os.getpid()))
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            while True:
                time.sleep(0.01)

        keep_running(work)
        """
    )
    keeper = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not child_pid.exists() or not child_pid.read_text():
            assert time.monotonic() < deadline, "the worker started"
            time.sleep(0.05)
        child = int(child_pid.read_text())
        keeper.kill()
        keeper.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not _gone(child):
            assert time.monotonic() < deadline, "the worker ended with its keeper"
            time.sleep(0.05)
    finally:
        if keeper.poll() is None:
            keeper.kill()


def test_a_worker_that_keeps_dying_young_waits_longer_each_time_and_a_settled_one_starts_afresh() -> None:
    waits = [next_delay(None, lived=1.0)]
    for _ in range(6):
        waits.append(next_delay(waits[-1], lived=1.0))
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert next_delay(60.0, lived=3600.0) == 2.0, "after a long run, a death is news again"


def test_a_ctrl_c_before_the_worker_has_its_own_handlers_stops_it_quietly(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # sent to the keeper alone, as `kill -INT` does (run from a terminal, the keeper would leave a
    # Ctrl-C to reach its child by itself)
    monkeypatch.setattr("ombuds.worker._typed_in_the_terminal", lambda: False)
    runs = tmp_path / "runs"

    def work() -> int:  # Python's own SIGINT handler still in place, as before Celery installs its own
        with runs.open("a") as out:
            out.write("run\n")
        while True:
            time.sleep(0.01)

    # Python's own handler, as a worker started from a terminal has it (a test runner's worker may ignore SIGINT)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sender = _signal_keeper_when(lambda: _runs(runs) == 1, signal.SIGINT)
        assert keep_running(work, delay=0.01) == 128 + signal.SIGINT
        sender.join()
    finally:
        signal.signal(signal.SIGINT, before)
    assert _runs(runs) == 1, "a stop asked for starts nothing more"
    assert "Traceback" not in capfd.readouterr().err
