"""How long a source waits before its next poll. Pure."""

from __future__ import annotations

import random
from collections.abc import Callable

FIRST_RETRY_SECONDS = 30.0
LONGEST_WAIT_SECONDS = 3600.0


def retry_delay(failures: int, *, every_seconds: float, rng: Callable[[], float] = random.random) -> float:
    """After ``failures`` failures in a row: doubling from 30 s up to an hour, with jitter.

    The wait is drawn between half and all of the doubled delay, so sources that failed together
    (a network outage) do not all retry in the same second. The ceiling is an hour, or the
    source's own interval where that is longer.
    """
    ceiling = max(LONGEST_WAIT_SECONDS, float(every_seconds))
    delay = min(ceiling, FIRST_RETRY_SECONDS * 2.0 ** max(0, failures - 1))
    return delay / 2 + rng() * delay / 2
