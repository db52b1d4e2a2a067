"""When a brand's weekly digest is due, which week it covers, and how long a failed send waits.
Pure: no I/O.

A brand's digest goes out once a week at a day and hour of the brand's own time zone. A week is
named by its local Monday and runs from that Monday 00:00 to the next, local time: 168 hours, or
167 and 169 in the weeks the clocks change. A runner that was down at the hour sends it when it
comes back, in the same week, and never twice (``scheduling.send_due_digests`` records the week it
sent). A send the SMTP server refused is tried again after a growing wait.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ombuds.timezones import local_midnight

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEK = timedelta(days=7)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_RECIPIENTS = 50
#: One "@" between a name and a dotted domain: enough to catch a slip; the SMTP server judges the rest.
_PART = r"[^@\s,;<>\"\x00-\x1f\x7f]+"
_ADDRESS = re.compile(rf"{_PART}@{_PART}\.{_PART}")


def parse_day(name: str) -> int:
    """'monday' (or 'mon') … 'sunday' → 0 … 6; ValueError naming the choices otherwise."""
    wanted = name.strip().lower()
    for number, day in enumerate(DAYS):
        if wanted in (day, day[:3]):
            return number
    raise ValueError(f"day: one of {', '.join(DAYS)}, not {name[:40]!r}")


def check_hour(hour: int) -> int:
    if not 0 <= hour <= 23:
        raise ValueError(f"hour: 0 to 23 (the brand's local time), not {hour}")
    return hour


def check_recipients(addresses: Sequence[str], *, field: str = "recipients") -> list[str]:
    """The addresses, trimmed, each checked; ValueError naming the field and the first bad one."""
    found = [address.strip() for address in addresses if address.strip()]
    if len(found) > MAX_RECIPIENTS:
        raise ValueError(f"{field}: at most {MAX_RECIPIENTS} addresses (this has {len(found)})")
    for address in found:
        if len(address) > 320 or not _ADDRESS.fullmatch(address):
            raise ValueError(f"{field}: {address[:80]!r} is not an email address")
    return found


def parse_recipients(text: str, *, field: str = "recipients") -> list[str]:
    """Addresses typed one a line or separated by commas, semicolons or spaces."""
    return check_recipients(re.split(r"[\s,;]+", text), field=field)


def local_monday(moment: datetime, *, timezone: str) -> date:
    """The local Monday of the week ``moment`` falls in, in the brand's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.date() - timedelta(days=local.weekday())


def week_bounds(monday: date, *, timezone: str) -> tuple[datetime, datetime]:
    """[that Monday 00:00, the next Monday 00:00) local time, in UTC."""
    return local_midnight(monday, timezone=timezone), local_midnight(monday + WEEK, timezone=timezone)


def last_whole_week(now: datetime, *, timezone: str) -> date:
    """The local Monday of the last week that ended before ``now``: the week a digest sent now covers."""
    return local_monday(now, timezone=timezone) - WEEK


def due_week(now: datetime, *, timezone: str, weekday: int, hour: int) -> date | None:
    """The local Monday of this week when this week's send moment has passed at ``now``, else None."""
    monday = local_monday(now, timezone=timezone)
    zone = ZoneInfo(timezone)
    moment = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=zone)
    return monday if now.astimezone(zone) >= moment else None


def retry_delay(failures: int, *, rng: Callable[[], float] = random.random) -> timedelta:
    """The wait after ``failures`` failed sends in a row: 1, 2, 4 … minutes up to an hour.

    Drawn between half and all of that, so the brands of one installation whose sends failed
    together (the SMTP server was down) do not all try again in the same second.
    """
    doublings = min(max(0, failures - 1), 12)  # past the ceiling anyway; a week of failures stays a number
    delay: timedelta = min(LONGEST_WAIT, FIRST_RETRY * 2**doublings)
    return delay / 2 + delay * (rng() / 2)
