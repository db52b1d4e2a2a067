"""SQLite's one writer: a writer that waits takes the lock as soon as it is free, and one that
cannot get it in time is told so (``db.make_engine``)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ombuds import db
from ombuds.db import make_engine


def _database(tmp_path: Path) -> tuple[str, sqlite3.Connection]:
    """A database with one table, and another connection (another process's, say) holding its
    write lock."""
    path = tmp_path / "one.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO note (body) VALUES ('first')")
    return f"sqlite:///{path}", holder


def test_a_writer_waits_for_the_other_writer_and_both_rows_are_kept(tmp_path: Path) -> None:
    url, holder = _database(tmp_path)
    engine = make_engine(url)
    waiting = threading.Event()
    written: list[BaseException | None] = []

    def write() -> None:
        try:
            with engine.begin() as connection:
                assert connection.scalar(text("SELECT count(*) FROM note")) == 0  # not committed yet
                waiting.set()
                connection.execute(text("INSERT INTO note (body) VALUES ('second')"))
                connection.execute(text("INSERT INTO note (body) VALUES ('third')"))  # the same transaction
            written.append(None)
        except BaseException as error:  # the assertion below says what went wrong
            written.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    assert waiting.wait(10)
    holder.execute("COMMIT")
    writer.join(15)

    assert written == [None]
    with engine.connect() as connection:
        assert connection.scalars(text("SELECT body FROM note ORDER BY id")).all() == [
            "first",
            "second",
            "third",
        ]
        assert connection.scalar(text("PRAGMA busy_timeout")) == 10000  # as it was for everything else
    holder.close()
    engine.dispose()


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_so_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 0.3)
    url, holder = _database(tmp_path)
    engine = make_engine(url)

    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"), engine.begin() as connection:
        connection.execute(text("INSERT INTO note (body) VALUES ('second')"))
    assert time.monotonic() - started < 5  # the writer's wait, not the busy handler's 10 s

    holder.execute("COMMIT")
    with engine.connect() as connection:
        assert connection.scalars(text("SELECT body FROM note")).all() == ["first"]
        assert connection.scalar(text("PRAGMA busy_timeout")) == 10000
    holder.close()
    engine.dispose()
