"""Follow-ups: what a parked or resolved case waits for, and when it comes back. Pure, no ORM."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class FollowUpKind(StrEnum):
    #: an open case parked until a date; it comes back to its owner then
    PENDING = "pending"
    #: a resolved case reopened on a date to ask whether the fix held ("is the new card working?")
    CHECK_IN = "check_in"


class WaitingOn(StrEnum):
    """Why a case is parked."""

    CUSTOMER = "customer"
    TEAM = "team"
    REFUND = "refund"


class Outcome(StrEnum):
    #: the case was brought back to its owner
    RETURNED = "returned"
    #: someone had already taken the case up again, so nothing needed bringing back
    SKIPPED = "skipped"
    #: replaced by a newer follow-up of the same kind on the same case
    REPLACED = "replaced"


WAITING_ON_WORDS = {
    WaitingOn.CUSTOMER: "waiting on the customer",
    WaitingOn.TEAM: "waiting on another team",
    WaitingOn.REFUND: "waiting on a refund",
}

#: Further ahead than this is a date typed wrong, not a plan.
MAX_AHEAD = timedelta(days=366)


def due_problem(due_at: datetime, *, now: datetime, field: str) -> str | None:
    """Why ``due_at`` cannot be a follow-up's date (naive, past, over a year ahead), or None."""
    if due_at.tzinfo is None:
        return f"{field}: give a time zone (for example 2026-12-03T09:00:00+01:00 or ...Z)"
    if due_at <= now:
        return f"{field}: {_on_its_clock(due_at, due_at)} is not in the future (it is {_on_its_clock(now, due_at)} now)"
    if due_at - now > MAX_AHEAD:
        return f"{field}: at most {MAX_AHEAD.days} days ahead (got {due_at.date().isoformat()})"
    return None


def _on_its_clock(moment: datetime, given: datetime) -> str:
    """``moment`` on the clock ``given`` was typed on ("Thu 03 Dec 2026 09:00 EST", "... UTC+01:00")."""
    local = moment.astimezone(given.tzinfo)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"
