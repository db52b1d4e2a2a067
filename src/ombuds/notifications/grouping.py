"""Notifications as a person reads them: a burst of the same kind (a backlog breaching its SLA in
one sweep) is one line with its count, not dozens in the same minute. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

#: Notifications of one kind this close together are one burst.
BURST = timedelta(minutes=2)
#: A burst reads as one line from this many on.
GROUPED_FROM = 3
#: Where a grouped burst leads, by kind; kinds not here stay one line each.
GROUP_PATHS = {
    "sla_breached": "/inbox?sla=breached",
    "task_overdue": "/tasks",
    "reply_to_post": "/inbox?replies=to_post",
}
GROUP_WORDS = {
    "sla_breached": "cases breached their SLA",
    "task_overdue": "tasks of your teams are overdue",
    "reply_to_post": "replies left to post by hand",
}


class Told(Protocol):
    kind: str
    text: str
    path: str
    brand_id: int
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the list: a notification, or a burst of them (``items``)."""

    kind: str
    text: str
    path: str
    created_at: datetime
    unread: bool
    items: Sequence[Told] = field(default=())


def grouped(notifications: Sequence[Told]) -> list[Line]:
    """The list in the order given (unread first, newest first), each burst of a groupable kind
    gathered into one line where its newest member stood."""
    bursts: list[list[Told]] = []
    for told in notifications:
        burst = next(
            (
                b
                for b in bursts
                if told.kind in GROUP_PATHS
                and b[0].kind == told.kind
                and b[0].brand_id == told.brand_id
                and (b[0].read_at is None) == (told.read_at is None)
                and abs(b[-1].created_at - told.created_at) <= BURST
            ),
            None,
        )
        if burst is None:
            bursts.append([told])
        else:
            burst.append(told)
    lines: list[Line] = []
    for burst in bursts:
        first = burst[0]
        if len(burst) < GROUPED_FROM:
            lines.extend(Line(t.kind, t.text, t.path, t.created_at, t.read_at is None) for t in burst)
        else:
            text = f"{len(burst)} {GROUP_WORDS[first.kind]}"
            lines.append(
                Line(
                    first.kind, text, GROUP_PATHS[first.kind], first.created_at, first.read_at is None, burst
                )
            )
    return lines
