"""Which errors mean "the disk under the data is full" (the API answers them 503 with Retry-After)."""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import OperationalError

from ombuds.db import is_disk_full


class _PostgresError(Exception):
    """What psycopg raises carries the server's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_a_full_disk_is_told_apart_from_other_storage_errors() -> None:
    sqlite_full = sqlite3.OperationalError("database or disk is full")
    assert is_disk_full(OperationalError("INSERT …", {}, sqlite_full))
    assert is_disk_full(OperationalError("INSERT …", {}, _PostgresError("53100")))
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))

    assert not is_disk_full(OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked")))
    assert not is_disk_full(OperationalError("SELECT …", {}, _PostgresError("57P01")))  # server shut down
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(ValueError("no space"))
