"""The period a figure covers, read from what a person or a script typed, in the brand's days.
Pure: no I/O.

A brand's day is its own (its SLA policy's time zone): "today" on a desk in New York begins at
midnight there, not at 19:00 the evening before, when UTC's does."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ombuds.clock import as_utc
from ombuds.timezones import local_day, local_midnight

#: the years a bound may name: any real desk's history, with room for the period before it and a
#: trend's steps (a bound at the calendar's edge would overflow them)
YEARS = range(1900, 3000)


class PeriodError(ValueError):
    """A bound that cannot be read; the message starts with the field's name."""


def _bound(field: str, text: str | None, *, is_end: bool, timezone: str) -> datetime:
    if text is None or not text.strip():
        raise PeriodError(f"{field}: missing; give an ISO date or time, e.g. 2026-11-01 or 2026-11-01T09:00Z")
    value = text.strip()
    try:
        typed: date | datetime = (
            date.fromisoformat(value)
            if len(value) == len("2026-11-01")
            else datetime.fromisoformat(value.replace("Z", "+00:00"))
        )
    except ValueError:
        raise PeriodError(
            f"{field}: {value[:40]!r} is not an ISO date or time (e.g. 2026-11-01T09:00Z)"
        ) from None
    if typed.year not in YEARS:
        raise PeriodError(f"{field}: {value[:40]!r} is outside the years {YEARS.start} to {YEARS.stop - 1}")
    if not isinstance(typed, datetime):
        # a date alone is the brand's whole day: `to` includes it
        return local_midnight(typed + timedelta(days=1 if is_end else 0), timezone=timezone)
    # a time without an offset is on the brand's clock, as a person there typed it
    return as_utc(typed if typed.tzinfo else typed.replace(tzinfo=ZoneInfo(timezone)))


def parse_period(start: str | None, end: str | None, *, timezone: str = "UTC") -> tuple[datetime, datetime]:
    """[start, end) in UTC from ``from`` and ``to``; a date alone covers that whole day in
    ``timezone`` (the brand's), a time without an offset is on its clock."""
    begins = _bound("from", start, is_end=False, timezone=timezone)
    ends = _bound("to", end, is_end=True, timezone=timezone)
    # quoted as typed: a date's period ends at the next midnight, which nobody wrote
    typed_start, typed_end = (str(text).strip()[:40] for text in (start, end))
    if ends < begins:
        raise PeriodError(f"to: {typed_end!r} is before from ({typed_start!r})")
    if ends == begins:
        raise PeriodError(f"to: {typed_end!r} is the moment from begins: the period is empty")
    return begins, ends


def last_days(now: datetime, days: int, *, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the ``days`` whole days of ``timezone`` that end with today's."""
    today = local_day(now, timezone=timezone)
    return (
        local_midnight(today - timedelta(days=days - 1), timezone=timezone),
        local_midnight(today + timedelta(days=1), timezone=timezone),
    )
