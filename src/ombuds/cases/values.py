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


class Priority(IntEnum):
    """Lower is more urgent, so sorting ascending puts the urgent first."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4
