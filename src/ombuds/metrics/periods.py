"""The period a figure covers, read from what a person or a script typed. Pure: no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ombuds.clock import as_utc

#: the years a bound may name: any real desk's history, with room for the period before it and a
#: trend's steps (a bound at the calendar's edge would overflow them)
YEARS = range(1900, 3000)


class PeriodError(ValueError):
    """A bound that cannot be read; the message starts with the field's name."""


def _bound(field: str, text: str | None, *, is_end: bool) -> datetime:
    if text is None or not text.strip():
        raise PeriodError(f"{field}: missing; give an ISO date or time, e.g. 2026-11-01 or 2026-11-01T09:00Z")
    value = text.strip()
    try:
        if len(value) == len("2026-11-01"):
            day = date.fromisoformat(value)
            # a date alone is the whole day: `to` includes it
            moment = datetime.combine(day + timedelta(days=1 if is_end else 0), time(), tzinfo=UTC)
        else:
            moment = as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        raise PeriodError(
            f"{field}: {value[:40]!r} is not an ISO date or time (e.g. 2026-11-01T09:00Z)"
        ) from None
    if moment.year not in YEARS:
        raise PeriodError(f"{field}: {value[:40]!r} is outside the years {YEARS.start} to {YEARS.stop - 1}")
    return moment


def parse_period(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """[start, end) in UTC from ``from`` and ``to``; a date alone covers that whole day, a time without
    a zone is UTC."""
    begins = _bound("from", start, is_end=False)
    ends = _bound("to", end, is_end=True)
    # quoted as typed: a date's period ends at the next midnight, which nobody wrote
    typed_start, typed_end = (str(text).strip()[:40] for text in (start, end))
    if ends < begins:
        raise PeriodError(f"to: {typed_end!r} is before from ({typed_start!r})")
    if ends == begins:
        raise PeriodError(f"to: {typed_end!r} is the moment from begins: the period is empty")
    return begins, ends
