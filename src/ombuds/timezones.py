"""Which time zone names Ombuds accepts: real IANA zones, as every place that takes one checks them.

Pure. ``zoneinfo`` also loads names that are no region (``localtime`` is whatever the server's
clock says, ``posixrules`` a file of rules, ``Factory`` a placeholder): a policy or channel in one
of them would change meaning when the server moves, so they are refused with the unknown ones.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

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
