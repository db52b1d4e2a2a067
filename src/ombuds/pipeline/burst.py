"""When brands' accurate models step aside for the fast path: a burst (pure).

Two signs, either enough: more mentions wait for analysis than the accurate path clears in a
few seconds (``accurate_backlog_limit``), or the oldest of them has waited too long since it was
received (``accurate_lag_limit``). Counting alone misses the slow trickle: a machine under load,
many brands at once, or a catch-up after an outage, where few mentions wait at a time but each
waits longer than the desk should for its first reading. Lag alone misses the start of a burst,
whose mentions have not waited yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Backlog:
    """Mentions waiting for analysis besides the batch at hand, and when the oldest was received."""

    waiting: int
    oldest_received: datetime | None  # None: nothing waits, the batch at hand included


def lag_seconds(backlog: Backlog, now: datetime) -> float:
    """How long the oldest waiting mention has waited; 0 when none waits (or clocks disagree)."""
    if backlog.oldest_received is None:
        return 0.0
    return max(0.0, (now - backlog.oldest_received).total_seconds())


def is_burst(backlog: Backlog, now: datetime, *, waiting_limit: int, lag_limit: float) -> bool:
    """Whether the fast path reads: too many wait, or the oldest has waited too long."""
    return backlog.waiting > waiting_limit or lag_seconds(backlog, now) > lag_limit
