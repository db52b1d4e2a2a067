"""When a task is due, when it is overdue, and how its due date reads: in the brand's time zone.

Pure. A due date given as a day ("2026-12-04", the case page's date field) means the end of that
day where the brand is (``timezones.end_of_day`` in ``routing.queries.brand_timezone``), so a team
in Los Angeles and one in Sydney each have until their own midnight. The moment is stored in UTC,
like every ``*_at``; the pages, the team's queue and the reminders all read it through this module.
"""

from __future__ import annotations

from datetime import datetime, time

from ombuds.clock import as_utc
from ombuds.timezones import in_zone, moment_label


def is_overdue(due_at: datetime | None, *, now: datetime) -> bool:
    """Past due from its due moment on (what the reminders' query asks too: ``due_at <= now``)."""
    return due_at is not None and as_utc(due_at) <= as_utc(now)


def due_label(due_at: datetime, *, timezone: str) -> str:
    """The due date as the brand's people read it: "Fri 04 Dec 2026 (America/Los_Angeles)" for the
    end of a day (whose day it is matters), and any other moment as every page shows one
    ("Thu 03 Dec 2026 04:00 PST")."""
    local = in_zone(due_at, timezone)
    if local.time() == time.max:  # what ``timezones.end_of_day`` gives
        return f"{local:%a %d %b %Y} ({timezone})"
    return moment_label(due_at, timezone=timezone)
