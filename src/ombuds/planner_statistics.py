"""Table statistics for SQLite's query planner, which nothing else gathers.

Without them SQLite guesses which index to read, and with a million messages it guessed wrong
where it matters most: the inbox read a page's messages through the brand's index (nine in ten
of all messages) instead of the case's (a few each), 0.97 s a page instead of 0.23 s. ``ANALYZE``
under ``analysis_limit`` samples each index instead of reading it whole (a quarter of a second
at a million messages) and runs again once the messages have grown by half. PostgreSQL's
autovacuum keeps its own statistics: nothing to do there.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, func, select, text

from ombuds.mentions.models import Mention

#: Rows sampled from each index: enough to tell an index of a few rows a key from one of many.
ANALYSIS_LIMIT = 1000
#: Below this many messages the planner's own guesses serve well and a page is quick anyway.
SMALL = 5000
#: Statistics are gathered again once the messages have grown this many times over.
GROWTH = 1.5
#: How often ``keep_statistics`` looks at all (it is called after every round of the runner).
CHECK_SECONDS = 3600.0

_next_check: dict[str, float] = {}  # database URL -> when keep_statistics looks again


def _has_statistics(connection: Connection) -> bool:
    stored = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    ).first()
    return stored is not None


def _sample(connection: Connection) -> None:
    connection.execute(text(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"))
    connection.execute(text("ANALYZE"))


def sample_again_where_kept(connection: Connection) -> None:
    """Sample SQLite's statistics again now if it keeps some: for a migration that adds an index.

    Where the other indexes have statistics, an index without them is taken for the best one (the
    inbox's default order read the deadline index and took 0.6 s instead of 0.1 at a million
    messages). A database without statistics keeps none; PostgreSQL gathers its own.
    """
    if connection.dialect.name == "sqlite" and _has_statistics(connection):
        _sample(connection)


def analysed_messages(connection: Connection) -> int | None:
    """How many messages the stored statistics counted (SQLite's estimate); None when none are stored."""
    if not _has_statistics(connection):
        return None
    # each index of the table has its sampled estimate of the rows; the middle one is the surest
    counts = sorted(
        int(str(stat).split()[0])
        for stat in connection.scalars(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'mention'"))
    )
    return counts[len(counts) // 2] if counts else None


def refresh_statistics(engine: Engine) -> bool:
    """Gather SQLite's statistics if there are none yet or the messages have grown by half since;
    whether it did. Nothing on PostgreSQL, or while the database is small."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        messages = connection.scalar(select(func.max(Mention.id))) or 0
        if messages < SMALL:
            return False
        counted = analysed_messages(connection)
        if counted is not None and messages < counted * GROWTH:
            return False
        _sample(connection)
        connection.commit()
    return True


def keep_statistics(engine: Engine, *, clock: Callable[[], float] = time.monotonic) -> bool:
    """``refresh_statistics`` at most once every ``CHECK_SECONDS`` per database (the runner's
    rounds call this); whether it gathered them."""
    key = str(engine.url)
    if clock() < _next_check.get(key, 0.0):
        return False
    _next_check[key] = clock() + CHECK_SECONDS
    return refresh_statistics(engine)
