"""One pipeline runner at a time on a SQLite database.

SQLite has one writer at a time and no ``FOR UPDATE SKIP LOCKED``, so two runners on one file
(``ombuds serve`` and ``ombuds pipeline run``) take the same mentions, collide on every insert and
time out on each other's locks. A runner therefore holds an OS file lock (``flock``) on a file
beside the database while it works. The kernel releases it when the process ends, even by
``kill -9``, so a crash never leaves the database locked. PostgreSQL needs no such lock: runners
share it, each batch picked with ``SKIP LOCKED``.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine

from ombuds.errors import Conflict

log = logging.getLogger(__name__)


class RunnerBusy(Conflict):
    """Another runner is processing this SQLite database."""


def lock_path(engine: Engine) -> Path | None:
    """The lock file of a SQLite database file; None where runners need no lock (PostgreSQL, memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).with_name(Path(url.database).name + ".runner.lock")


def _holder(handle: int) -> str:
    os.lseek(handle, 0, os.SEEK_SET)
    pid = os.read(handle, 32).decode("ascii", "replace").strip()
    return pid or "unknown"


def _busy_message(path: Path, pid: str) -> str:
    database = path.with_name(path.name.removesuffix(".runner.lock"))
    return (
        f"another Ombuds runner (pid {pid}) is processing {database}; on SQLite one runner works at a "
        "time. `ombuds serve` processes new mentions in the background, so `ombuds pipeline run` "
        "is not needed while it runs; otherwise wait for that process to finish or stop it"
    )


@contextmanager
def single_runner(engine: Engine, *, wait: bool) -> Iterator[None]:
    """Hold the database's runner lock for the block; a no-op on PostgreSQL.

    When another process (or thread) holds it: ``wait`` blocks until it is released, else
    ``RunnerBusy`` is raised at once with the holder's pid.
    """
    path = lock_path(engine)
    if path is None:
        yield
        return
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = _busy_message(path, _holder(handle))
            if not wait:
                raise RunnerBusy(message) from None
            log.warning("%s; waiting for it", message)
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
