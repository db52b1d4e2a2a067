"""Service-level targets by priority; pure arithmetic on aware datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ombuds.cases.values import Priority


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    first_response: dict[Priority, timedelta]
    resolution: dict[Priority, timedelta]


DEFAULT_POLICY = SlaPolicy(
    first_response={
        Priority.URGENT: timedelta(minutes=30),
        Priority.HIGH: timedelta(hours=1),
        Priority.NORMAL: timedelta(hours=4),
        Priority.LOW: timedelta(hours=24),
    },
    resolution={
        Priority.URGENT: timedelta(hours=4),
        Priority.HIGH: timedelta(hours=24),
        Priority.NORMAL: timedelta(hours=48),
        Priority.LOW: timedelta(days=5),
    },
)


def first_response_due(policy: SlaPolicy, *, priority: Priority, opened_at: datetime) -> datetime:
    return opened_at + policy.first_response[priority]


def resolution_due(policy: SlaPolicy, *, priority: Priority, opened_at: datetime) -> datetime:
    return opened_at + policy.resolution[priority]
