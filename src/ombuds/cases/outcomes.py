"""Outcome facts of a case: handoffs, reopens, first-contact resolution. Pure: no I/O.

Outcome metrics are computed from these facts, so each rule lives here once, apart from
the writers in ``cases.actions`` / ``cases.lifecycle`` that record them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

#: A reopen this soon after resolving means the first contact did not fix the problem.
FCR_REOPEN_WINDOW = timedelta(days=7)
#: How long after resolution a customer writing again reopens the case (a brand may choose another).
DEFAULT_REOPEN_WINDOW_DAYS = 7


def is_handoff(previous: int | None, new: int | None) -> bool:
    """A case passing from one person (or team) to another; first assignment and unassigning are not."""
    return previous is not None and new is not None and previous != new


def counts_as_handoff(
    *,
    previous_team: int | None,
    team: int | None,
    previous_assignee: int | None,
    assignee: int | None,
    returned_to_queue: bool = False,
) -> bool:
    """Whether one move of a case is a handoff; a move is one handoff however much it changes.

    Another person, another team, or both at once count once. ``returned_to_queue``: the owner
    could not keep the case (they went away), so it left them even though nobody has it yet.
    """
    if is_handoff(previous_assignee, assignee) or is_handoff(previous_team, team):
        return True
    return returned_to_queue and previous_assignee is not None and assignee is None


def reply_exchanges(inbound: Iterable[bool]) -> int:
    """How many times the brand answered the customer: each run of brand messages after a customer's.

    ``inbound`` is each message's direction in time order (True = from the customer). Several
    messages in a row count once; a brand message before the customer wrote is no answer.
    """
    exchanges = 0
    customer_waiting = False
    for is_inbound in inbound:
        if is_inbound:
            customer_waiting = True
        elif customer_waiting:
            exchanges += 1
            customer_waiting = False
    return exchanges


def is_first_contact_resolution(*, exchanges: int, handoffs: int, reopened: int) -> bool:
    """Resolved with exactly one reply exchange, by the first owner, never reopened.

    No exchange is no first contact: a case closed before any answer reached the customer (an
    answer still held for PR, or none at all) solved nothing for them at first contact.
    """
    return exchanges == 1 and handoffs == 0 and reopened == 0


def is_early_reopen(*, resolved_at: datetime | None, at: datetime) -> bool:
    """Reopened within the window that spoils first-contact resolution."""
    return resolved_at is not None and at - resolved_at <= FCR_REOPEN_WINDOW


def within_reopen_window(*, resolved_at: datetime, at: datetime, window_days: int) -> bool:
    """A message at ``at`` reopens a case resolved at ``resolved_at`` instead of opening a new one.

    The window reaches as far back as forward: a message written shortly before the resolution
    but imported after it (a slow source, a backfill) was written about that case, while it was
    still open, so it reopens it rather than starting a case of its own.
    """
    window = timedelta(days=window_days)
    return resolved_at - window <= at <= resolved_at + window
