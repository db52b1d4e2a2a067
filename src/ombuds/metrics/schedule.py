"""When a brand's weekly digest is due. Pure: no I/O.

A brand's digest goes out once a week at a day and hour of the brand's own time zone. A week is
named by its local Monday; a runner that was down at the hour sends it when it comes back, in the
same week, and never twice (``scheduling.send_due_digests`` records the week it sent).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_day(name: str) -> int:
    """'monday' (or 'mon') … 'sunday' → 0 … 6; ValueError naming the choices otherwise."""
    wanted = name.strip().lower()
    for number, day in enumerate(DAYS):
        if wanted in (day, day[:3]):
            return number
    raise ValueError(f"day: one of {', '.join(DAYS)}, not {name!r}")


def check_hour(hour: int) -> int:
    if not 0 <= hour <= 23:
        raise ValueError(f"hour: 0 to 23 (the brand's local time), not {hour}")
    return hour


def due_week(now: datetime, *, timezone: str, weekday: int, hour: int) -> date | None:
    """The local Monday of this week when this week's send moment has passed at ``now``, else None."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = local.date() - timedelta(days=local.weekday())
    moment = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=ZoneInfo(timezone))
    return monday if local >= moment else None
