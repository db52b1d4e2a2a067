"""How long a case took in business time: to the first response and to resolution. Pure: no I/O.

Only time the case was being worked counts: business hours of the brand's policy (its time zone,
opening windows and holidays), and only while the case was new or open. Time pending (waiting on
the customer, another team, a refund) and time resolved before a reopen are left out, the same
pauses the SLA clock makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ombuds.cases.values import CaseStatus
from ombuds.routing.business_hours import BusinessHours, business_elapsed

#: statuses in which the case's clock runs
RUNNING = frozenset({CaseStatus.NEW, CaseStatus.OPEN})


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: datetime
    status: CaseStatus


def running_spans(
    *, opened_at: datetime, end: datetime, changes: Sequence[StatusChange]
) -> list[tuple[datetime, datetime]]:
    """The spans between ``opened_at`` and ``end`` in which the case was new or open.

    ``changes`` are the case's status changes; their order does not matter, those after ``end``
    are ignored.
    """
    spans = []
    status, since = CaseStatus.NEW, opened_at
    for change in sorted(changes, key=lambda c: c.at):
        if change.at >= end:
            break
        if status in RUNNING and change.at > since:
            spans.append((since, change.at))
        status, since = change.status, max(change.at, opened_at)
    if status in RUNNING and end > since:
        spans.append((since, end))
    return spans


def business_seconds(
    hours: BusinessHours, *, opened_at: datetime, end: datetime, changes: Sequence[StatusChange]
) -> int:
    """Whole seconds of business time the case was worked between opening and ``end``."""
    spans = running_spans(opened_at=opened_at, end=end, changes=changes)
    return int(sum((business_elapsed(hours, start, stop).total_seconds() for start, stop in spans), 0.0))
