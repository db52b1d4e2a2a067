"""One place that says what time it is, so replays and tests can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes (as SQLite returns them) are UTC by our convention."""
    zone = moment.tzinfo
    if zone is UTC:  # most are already: a pipeline round asks hundreds of thousands of times
        return moment
    if zone is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
