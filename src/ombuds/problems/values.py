"""A problem's statuses and the moves between them: plain values that pure modules share, no ORM."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class ProblemStatus(StrEnum):
    INVESTIGATING = "investigating"  # the cause is being found (also where a reopened problem goes)
    FIX_IN_PROGRESS = "fix_in_progress"
    FIXED = "fixed"  # the owning team says it is fixed: linked customers are told
    VERIFIED = "verified"  # no customer came back with it since the fix


#: Where each status may move. Fixed and verified go back to investigating when the fix did not work.
MOVES: dict[ProblemStatus, frozenset[ProblemStatus]] = {
    ProblemStatus.INVESTIGATING: frozenset({ProblemStatus.FIX_IN_PROGRESS, ProblemStatus.FIXED}),
    ProblemStatus.FIX_IN_PROGRESS: frozenset({ProblemStatus.INVESTIGATING, ProblemStatus.FIXED}),
    ProblemStatus.FIXED: frozenset({ProblemStatus.VERIFIED, ProblemStatus.INVESTIGATING}),
    ProblemStatus.VERIFIED: frozenset({ProblemStatus.INVESTIGATING}),
}

#: Statuses in which the owning team still has work to do: its queue lists these.
OPEN_PROBLEM_STATUSES = frozenset({ProblemStatus.INVESTIGATING, ProblemStatus.FIX_IN_PROGRESS})

#: Statuses in which the cause is gone; a customer coming back with the issue reopens the problem.
DONE_STATUSES = frozenset({ProblemStatus.FIXED, ProblemStatus.VERIFIED})

STATUS_LABELS: dict[ProblemStatus, str] = {
    ProblemStatus.INVESTIGATING: "Investigating",
    ProblemStatus.FIX_IN_PROGRESS: "Fix in progress",
    ProblemStatus.FIXED: "Fixed",
    ProblemStatus.VERIFIED: "Verified",
}

#: A case resolved this long before the fix is still told about it: the customer remembers a
#: month-old complaint and a "we fixed it" is welcome; after that the message would come from nowhere.
RECENTLY_RESOLVED = timedelta(days=30)


def may_move(current: ProblemStatus, target: ProblemStatus) -> bool:
    """Whether a problem in ``current`` may move to ``target`` (staying put is always allowed)."""
    return target == current or target in MOVES[current]


def move_refusal(current: ProblemStatus, target: ProblemStatus) -> str | None:
    """Why the move is not allowed, naming the moves that are; None when it is."""
    if may_move(current, target):
        return None
    allowed = " or ".join(sorted(s.value for s in MOVES[current]))
    return f"status: a problem that is {current.value} moves to {allowed}, not {target.value}"
