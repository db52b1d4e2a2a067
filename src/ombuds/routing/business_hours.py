"""Business-hours arithmetic on aware datetimes: pure, no database.

Opening hours are wall-clock windows per weekday in one time zone, so a 09:00–17:00 day stays
09:00–17:00 local across daylight-saving changes (and a 24-hour day is 23 or 25 hours long on the
changeover dates). Holidays are local dates with no business time at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# A search that finds no open minute in this many local days gives up instead of looping forever.
_SEARCH_DAYS = 3 * 366


class NoBusinessHoursError(ValueError):
    """The hours never open (every weekday empty), so no deadline can be reached."""


@dataclass(frozen=True, slots=True)
class Window:
    """Open from ``start`` to ``end`` minutes after local midnight; ``end`` may be 1440 (midnight)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(
                f"an opening window must lie within one day, got {self.start}–{self.end} minutes"
            )

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"09:00-17:30"``; ``"24:00"`` is accepted as the end of the day."""
        try:
            start_text, end_text = (part.strip() for part in text.split("-"))
            return cls(_minutes(start_text), _minutes(end_text))
        except ValueError as error:
            raise ValueError(f"opening window {text!r}: {error}") from None

    def __str__(self) -> str:
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    # isascii: "²".isdigit() is true, yet int("²") fails
    if not (text.isascii() and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"expected HH:MM, got {text!r}")
    return int(hours) * 60 + int(minutes)


ALL_DAY = (Window(0, MINUTES_PER_DAY),)


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Weekly opening windows (Monday is 0) in ``timezone``, closed on ``holidays``."""

    timezone: str = "UTC"
    weekly: Mapping[int, Sequence[Window]] = field(default_factory=lambda: dict.fromkeys(range(7), ALL_DAY))
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # an unknown zone fails here, when the policy is read, not mid-arithmetic
        if any(day not in range(7) for day in self.weekly):
            raise ValueError(f"weekdays are 0 (Monday) to 6, got {sorted(self.weekly)}")

    @property
    def is_always_open(self) -> bool:
        return not self.holidays and all(tuple(self.weekly.get(day, ())) == ALL_DAY for day in range(7))


ALWAYS_OPEN = BusinessHours()


def _local_bounds(hours: BusinessHours, day: date, window: Window) -> tuple[datetime, datetime]:
    """A window on a local date as UTC instants; wall-clock minutes, so DST moves the instants."""
    zone = ZoneInfo(hours.timezone)
    midnight = datetime.combine(day, time())

    def at(minutes: int) -> datetime:
        return (midnight + timedelta(minutes=minutes)).replace(tzinfo=zone).astimezone(UTC)

    return at(window.start), at(window.end)


def open_intervals(hours: BusinessHours, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The open intervals from ``start`` onwards in time order (UTC), the first clipped to ``start``."""
    start = _utc(start)
    zone = ZoneInfo(hours.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)  # a window may still be open from yesterday
    closed_days = 0
    while closed_days < _SEARCH_DAYS:
        found = False
        if day not in hours.holidays:
            for window in sorted(hours.weekly.get(day.weekday(), ()), key=lambda w: w.start):
                opens, closes = _local_bounds(hours, day, window)
                if closes > start and closes > opens:
                    found = True
                    yield max(opens, start), closes
        closed_days = 0 if found else closed_days + 1
        day += timedelta(days=1)
    raise NoBusinessHoursError(f"no open business hours within {_SEARCH_DAYS} days after {start.isoformat()}")


def business_elapsed(hours: BusinessHours, start: datetime, end: datetime) -> timedelta:
    """Business time between two instants (zero when ``end`` is not after ``start``)."""
    # Same-zone aware datetimes subtract by wall clock in Python, so work in UTC throughout.
    start, end = _utc(start), _utc(end)
    if end <= start:
        return timedelta()
    if hours.is_always_open:
        return end - start
    total = timedelta()
    for opens, closes in open_intervals(hours, start):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def add_business_time(hours: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    """The instant at which ``duration`` of business time has passed since ``start``."""
    if duration < timedelta():
        raise ValueError(f"a business duration cannot be negative, got {duration}")
    start = _utc(start)
    if hours.is_always_open:
        return start + duration
    left = duration
    for opens, closes in open_intervals(hours, start):
        if left <= closes - opens:
            return opens + left
        left -= closes - opens
    raise AssertionError("open_intervals either yields forever or raises")  # pragma: no cover


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"business-hours arithmetic needs an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)
