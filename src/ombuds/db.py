"""Engines, sessions and the declarative base; nothing is created at import time."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    Enum,
    MetaData,
    Table,
    create_engine,
    event,
    false,
    func,
    insert,
    make_url,
    select,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from ombuds.clock import as_utc

T = TypeVar("T")
#: ids per ``IN (...)`` list: well under SQLite's (999 on older builds) and PostgreSQL's limits on
#: bound parameters
IN_LIST = 900


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """``items`` in order, ``size`` at a time: one ``IN (...)`` list each."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes and always gives back aware UTC ones, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Ombuds stores timezone-aware UTC only")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    # On SQLite a datetime is text ("2026-12-04 06:47:10.123456", UTC): written and read here in one
    # step each, the same text SQLAlchemy's own SQLite type writes, instead of that type's work and
    # then this one's (a pipeline round reads and writes tens of thousands: 4 % of its time).

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], str | None] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # the last value written and its text: a batch binds the same moment in every row
        last: list[tuple[datetime | None, str | None]] = [(None, None)]

        def to_text(value: datetime | None) -> str | None:
            held = last[0]  # one read of the pair: another thread may replace it meanwhile
            if value is held[0]:
                return held[1]
            moment = self.process_bind_param(value, dialect)  # in UTC: its text ends "+00:00"
            text = None if moment is None else moment.isoformat(" ", "microseconds")[:-6]
            last[0] = (value, text)
            return text

        return to_text

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_text(value: Any) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, datetime):
                return as_utc(value)
            try:  # the text as written above: parsed with its zone, 5 times the speed of setting it after
                moment = datetime.fromisoformat(value + "+00:00")
            except ValueError:  # written some other way, with an offset of its own
                moment = datetime.fromisoformat(value)
            return as_utc(moment)  # a date alone parses without the zone

        return from_text


def str_enum(enum: type[StrEnum]) -> Enum:
    """A portable enum column that stores the members' values (``"agent"``), not their names."""
    return Enum(
        enum,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime()}


#: Statements before which pysqlite opens a transaction (and SQLite takes the write lock).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
#: How long a writer waits for SQLite's one write lock (the busy timeout's 10 s), and how often
#: it asks meanwhile: after a millisecond, then twice as long each time up to 10 ms, so forty
#: API threads waiting out a round cost the runner (the same process) little of the GIL.
WRITE_WAIT_SECONDS = 10.0
WRITE_POLL_SECONDS = 0.001
WRITE_POLL_MAX_SECONDS = 0.01
_BUSY_TIMEOUT = f"PRAGMA busy_timeout={round(WRITE_WAIT_SECONDS * 1000)}"


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(_BUSY_TIMEOUT)
    cursor.close()


def _begin_writing_at_once(
    connection: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    """Open a write transaction the moment SQLite's write lock is free.

    pysqlite opens one (BEGIN, then the write takes the lock) before the first write of a
    transaction; a writer that finds the lock taken then waits in SQLite's busy handler, which
    sleeps in growing steps up to 100 ms between tries, so it wakes up to 100 ms after the lock
    came free, while the other writer (the pipeline's runner, an ingest) may already wait for it.
    Asking from a millisecond on, at most 10 ms apart, hands the lock over about when it comes
    free (docs/performance.md: the pipeline benchmark, taking turns). Reads before the first
    write stay outside the transaction, as pysqlite leaves them.
    """
    raw = connection.connection.driver_connection
    if raw.in_transaction or not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    pause = WRITE_POLL_SECONDS
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(2 * pause, WRITE_POLL_MAX_SECONDS)
    finally:
        raw.execute(_BUSY_TIMEOUT)


def lock_for_writing(session: Session, model: type[Base], ids: Sequence[int]) -> None:
    """Hold ``ids``' rows of ``model``'s table against other writers until this transaction ends;
    read them again afterwards (``session.refresh``), as what was read before may be stale.

    PostgreSQL locks the rows, in id order so two callers never wait on each other; SQLite has one
    write lock for the file, which a write takes at once (``_begin_writing_at_once``), so a write
    that changes nothing takes it.
    """
    table = cast(Table, model.__table__)
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(table.update().where(false()).values({table.c.id: table.c.id}))
        return
    connection.execute(
        select(table.c.id).where(table.c.id.in_(sorted(ids))).order_by(table.c.id).with_for_update()
    )


def create_private_sqlite_file(url: str) -> None:
    """Create a missing SQLite file readable by its owner only (0600), in a folder made 0700.

    SQLite would create it with the umask (often world-readable), and the file holds customers'
    messages. Its -wal and -shm files take the database file's mode. Existing files are left as
    they are; in-memory databases have no file.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys, a busy timeout and a private file.

    A failing statement's parameters (customers' words, emails, card numbers) stay out of its
    error and so out of the logs: ``hide_parameters``."""
    if url.startswith("sqlite"):
        create_private_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _begin_writing_at_once)
        return engine
    # Server-side prepared statements plan once for every list size; batches of ids vary, so plan each.
    connect_args = {"prepare_threshold": None} if url.startswith("postgresql+psycopg") else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error: the edge owns the transaction."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_returning_ids(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert the rows and give their new ids in the rows' order, in as few statements as the
    database allows.

    Asked for ids in order, SQLAlchemy inserts one row per statement on SQLite: it cannot tie a
    returned id to its row. But SQLite numbers a new row one past the table's largest id, and this
    transaction is its one writer: the ids of a batched insert, sorted, are the rows' ids in order,
    one after another. Only a table whose largest id is near the end of the integers numbers at
    random; its rows go one per statement.
    """
    if not rows:
        return []
    table: Table = model.__table__  # type: ignore[assignment]
    in_order = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    if session.get_bind().dialect.name != "sqlite":
        return list(session.scalars(in_order, rows))  # PostgreSQL batches these itself
    largest = session.scalar(select(func.max(table.c.id))) or 0
    if largest + len(rows) >= _LARGEST_ID:
        return list(session.scalars(in_order, rows))
    ids = sorted(session.scalars(insert(table).returning(table.c.id), rows))
    if ids != list(range(largest + 1, largest + 1 + len(rows))):
        raise RuntimeError(
            f"{table.name}: new ids {ids[:3]}... do not follow {largest}; SQLite numbers otherwise"
        )
    return ids


_LARGEST_ID = 2**63 - 1


#: PostgreSQL's SQLSTATE for "disk_full" (it could not extend or write a file).
_PG_DISK_FULL = "53100"


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk under the data is full (SQLite, PostgreSQL or a file write).

    Nothing is wrong with the request that met it: it can be sent again once there is space.
    """
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    if isinstance(error, sqlite3.DatabaseError):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(error)
    if getattr(error, "sqlstate", None) == _PG_DISK_FULL:
        return True
    return isinstance(error, OSError) and error.errno == errno.ENOSPC
