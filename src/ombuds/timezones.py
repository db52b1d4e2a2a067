"""Which time zone names Ombuds accepts: real IANA zones, as every place that takes one checks them,
and where a local day ends.

Pure. ``zoneinfo`` also loads names that are no region (``localtime`` is whatever the server's
clock says, ``posixrules`` a file of rules, ``Factory`` a placeholder): a policy or channel in one
of them would change meaning when the server moves, so they are refused with the unknown ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from ombuds.clock import as_utc

#: Names in the time zone database that are not a place's time.
NOT_A_REGION = frozenset({"localtime", "posixrules", "Factory"})
#: Shown in errors.
ZONE_EXAMPLE = "Europe/London"


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_A_REGION


def is_time_zone(name: str) -> bool:
    """Is ``name`` an IANA time zone such as "Europe/London" or "UTC"? (exact spelling)"""
    return name in _known_zones()


def unknown_zone_message(name: str) -> str:
    """Why ``name`` is refused, quoting at most 60 characters of it (control characters escaped)."""
    return f"{name[:60]!r} is not an IANA time zone such as {ZONE_EXAMPLE}"


def zone_choices(now: datetime) -> list[tuple[str, str]]:
    """Every zone a form takes, as (name, what a person reads: "UTC-05:00 now, EST"), by the
    offset its clock has at ``now`` and then by name: the list behind a zone field's suggestions."""
    found = []
    for name in _known_zones():
        local = in_zone(now, name)
        offset = local.utcoffset() or timedelta()
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        hours, rest = divmod(abs(minutes), 60)
        abbreviation = local.tzname() or ""
        label = f"UTC{sign}{hours:02d}:{rest:02d} now"
        if abbreviation and abbreviation[:1] not in "+-":  # "-03" says nothing more
            label += f", {abbreviation}"
        found.append((minutes, name, label))
    return [(name, label) for _, name, label in sorted(found)]


def local_midnight(day: date, *, timezone: str) -> datetime:
    """The moment ``day`` begins in ``timezone``, in UTC. A midnight the clocks skip (Havana goes
    forward at midnight) reads at the offset before the jump, which is the moment the day begins."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def end_of_day(day: date, *, timezone: str) -> datetime:
    """The last moment (to the microsecond) of ``day`` in ``timezone``, in UTC.

    Taken as the next local midnight less a microsecond, not as 23:59:59 on ``day``: where clocks
    go back at midnight (Asia/Beirut, America/Santiago) the day's last hour comes twice, and the
    first 23:59 would end it an hour early. A midnight the clocks skip (Havana goes forward at
    midnight) reads at the offset before the jump, which is the moment the day ends.
    """
    return local_midnight(day + timedelta(days=1), timezone=timezone) - timedelta(microseconds=1)


def in_zone(moment: datetime, timezone: str) -> datetime:
    """``moment`` on ``timezone``'s clock; a naive one (as SQLite returns them) is UTC."""
    return as_utc(moment).astimezone(ZoneInfo(timezone))


def moment_label(moment: datetime, *, timezone: str) -> str:
    """A moment as the brand's people read it: "Thu 03 Dec 2026 09:21 EST" in America/New_York.

    One form for every page, with the zone's abbreviation so a time copied into a message or a
    ticket still says which clock it was read on."""
    local = in_zone(moment, timezone)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def day_label(moment: datetime | date, *, timezone: str) -> str:
    """The day a moment falls on where the brand is ("Thu 03 Dec 2026"); a date is shown as it is."""
    day = in_zone(moment, timezone) if isinstance(moment, datetime) else moment
    return f"{day:%a %d %b %Y}"


def local_day(moment: datetime, *, timezone: str) -> date:
    """The brand's calendar day of a moment (what a date field shows for a stored end of day)."""
    return in_zone(moment, timezone).date()
