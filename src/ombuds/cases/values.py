"""A case's status and priority: plain values that routing, SLA and the workflow share, no ORM."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)


class ResolvedAs(StrEnum):
    """What resolving said of the case; spam and duplicates had no customer to ask about it."""

    SOLVED = "solved"
    SPAM = "spam"
    DUPLICATE = "duplicate"


#: resolutions after which the customer is not sent a satisfaction survey
NO_SURVEY = frozenset({ResolvedAs.SPAM, ResolvedAs.DUPLICATE})


class Priority(IntEnum):
    """Lower is more urgent, so sorting ascending puts the urgent first."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


class InboxSort(StrEnum):
    """How the inbox orders open cases (``?sort=``); every order ends on the case id, so pages are stable."""

    PRIORITY = (
        "priority"  # most urgent first, then the longest waiting (cases a follow-up brought back on top)
    )
    AGE = "age"  # the longest waiting first
    SLA = "sla"  # the nearest deadline first; cases without one last
    REACH = "reach"  # customers with the largest audience first


#: What the inbox's sort control says for each order.
INBOX_SORT_LABELS = {
    InboxSort.PRIORITY: "Priority",
    InboxSort.AGE: "Oldest first",
    InboxSort.SLA: "SLA due",
    InboxSort.REACH: "Reach",
}
