"""Who of a team gets a case: round robin or least loaded, among members who are in, have room and
fit the case (language, channel, category). Pure: no I/O; ``assignment_actions`` reads and writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ombuds.accounts.values import AssignmentPolicy
from ombuds.mentions.values import names_channel


@dataclass(frozen=True, slots=True)
class Candidate:
    """A team member as automatic assignment sees them. Empty skills fit every case."""

    user_id: int
    name: str
    load: int  # open cases the person has now
    capacity: int | None = None  # None: no limit
    is_away: bool = False
    languages: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CaseNeeds:
    """What a case asks of its owner; None where analysis could not tell, which anyone fits."""

    language: str | None = None
    channel: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """The member chosen (None: the case waits in the team's queue) and why, for the case's history."""

    user_id: int | None
    reason: str


def unfit(candidate: Candidate, needs: CaseNeeds) -> str | None:
    """Why the member cannot take the case now, or None when they can."""
    if candidate.is_away:
        return "away"
    if candidate.capacity is not None and candidate.load >= candidate.capacity:
        return f"full ({candidate.load} of {candidate.capacity} open cases)"
    wanted = (
        ("language", needs.language, candidate.languages),
        ("category", needs.category, candidate.categories),
    )
    for what, need, skills in wanted:
        if need is not None and skills and need not in skills:
            return f"no {what} {need}"
    if (
        needs.channel is not None
        and candidate.channels
        and not names_channel(candidate.channels, needs.channel)
    ):
        return f"no channel {needs.channel}"
    return None


def in_turn(candidates: Sequence[Candidate], *, last_user_id: int | None) -> list[Candidate]:
    """Members in round-robin order: by id, starting with the one after who got the last case."""
    ordered = sorted(candidates, key=lambda c: c.user_id)
    if last_user_id is None:
        return ordered
    after = [c for c in ordered if c.user_id > last_user_id]
    return after + [c for c in ordered if c.user_id <= last_user_id]


def choose_assignee(
    policy: AssignmentPolicy,
    candidates: Sequence[Candidate],
    needs: CaseNeeds,
    *,
    last_user_id: int | None = None,
) -> Choice:
    """The member a case goes to under the team's policy, or nobody (it waits in the queue).

    Round robin: the next fitting member after ``last_user_id``. Least loaded: the fitting member
    with the fewest open cases; a tie goes to whoever is next in turn, so ties spread too.
    """
    if policy is AssignmentPolicy.MANUAL:
        return Choice(None, "the team assigns by hand")
    if not candidates:
        return Choice(None, "the team has no members")
    fitting = [c for c in in_turn(candidates, last_user_id=last_user_id) if unfit(c, needs) is None]
    if not fitting:
        why = "; ".join(f"{c.name}: {unfit(c, needs)}" for c in sorted(candidates, key=lambda c: c.user_id))
        return Choice(None, f"nobody fits ({why}); it waits in the team's queue")
    if policy is AssignmentPolicy.ROUND_ROBIN:
        return Choice(fitting[0].user_id, "round robin")
    chosen = min(fitting, key=lambda c: c.load)  # min keeps the first of equals: the next in turn
    return Choice(chosen.user_id, f"least loaded ({chosen.load} open cases)")
