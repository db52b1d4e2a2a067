"""Service-level targets and states; pure arithmetic on aware datetimes.

A policy holds first-response, next-response and resolution targets by priority, optionally
overridden per channel, counted in its business hours. While a case waits on the customer its
clock is paused: on resume the deadlines move by the business time that was left at the pause
(``resume_due``), so a case pending over a weekend loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from ombuds.cases.values import Priority
from ombuds.mentions.values import for_channel
from ombuds.routing.business_hours import ALWAYS_OPEN, BusinessHours, add_business_time, business_elapsed


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class SlaState(StrEnum):
    OK = "ok"
    NEAR_BREACH = "near_breach"
    BREACHED = "breached"
    PAUSED = "paused"


Targets = Mapping[Priority, timedelta]


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    first_response: Targets
    resolution: Targets
    next_response: Targets = field(default_factory=dict)
    # channel → target → priority → duration; what a channel leaves out falls back to the above.
    by_channel: Mapping[str, Mapping[Target, Targets]] = field(default_factory=dict)
    hours: BusinessHours = ALWAYS_OPEN
    near_breach_ratio: float = 0.8

    def target(self, target: Target, *, priority: Priority, channel: str | None = None) -> timedelta | None:
        """The business duration allowed, or None when the policy sets no such target."""
        override = self._channel_targets(channel).get(target, {})
        if priority in override:
            return override[priority]
        return {
            Target.FIRST_RESPONSE: self.first_response,
            Target.NEXT_RESPONSE: self.next_response,
            Target.RESOLUTION: self.resolution,
        }[target].get(priority)

    def _channel_targets(self, channel: str | None) -> Mapping[Target, Targets]:
        """The channel's own targets, written under its name or another name of the same network."""
        return (for_channel(self.by_channel, channel) if channel else None) or {}


DEFAULT_POLICY = SlaPolicy(
    first_response={
        Priority.URGENT: timedelta(minutes=30),
        Priority.HIGH: timedelta(hours=1),
        Priority.NORMAL: timedelta(hours=4),
        Priority.LOW: timedelta(hours=24),
    },
    next_response={
        Priority.URGENT: timedelta(hours=1),
        Priority.HIGH: timedelta(hours=4),
        Priority.NORMAL: timedelta(hours=8),
        Priority.LOW: timedelta(hours=48),
    },
    resolution={
        Priority.URGENT: timedelta(hours=4),
        Priority.HIGH: timedelta(hours=24),
        Priority.NORMAL: timedelta(hours=48),
        Priority.LOW: timedelta(days=5),
    },
)


def due_at(
    policy: SlaPolicy, target: Target, *, priority: Priority, start: datetime, channel: str | None = None
) -> datetime | None:
    """When ``target`` is due for a clock started at ``start``, in the policy's business hours."""
    allowed = policy.target(target, priority=priority, channel=channel)
    return None if allowed is None else add_business_time(policy.hours, start, allowed)


def first_response_due(
    policy: SlaPolicy, *, priority: Priority, opened_at: datetime, channel: str | None = None
) -> datetime:
    due = due_at(policy, Target.FIRST_RESPONSE, priority=priority, start=opened_at, channel=channel)
    assert due is not None, "every policy sets a first-response target for every priority"
    return due


def resolution_due(
    policy: SlaPolicy, *, priority: Priority, opened_at: datetime, channel: str | None = None
) -> datetime:
    due = due_at(policy, Target.RESOLUTION, priority=priority, start=opened_at, channel=channel)
    assert due is not None, "every policy sets a resolution target for every priority"
    return due


def resume_due(hours: BusinessHours, *, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """Move a deadline past a pause: the business time left at the pause starts again on resume.

    A deadline already missed when the clock paused stays where it is: waiting on the customer
    does not undo a breach.
    """
    if due <= paused_at:
        return due
    return add_business_time(hours, resumed_at, business_elapsed(hours, paused_at, due))


def sla_state(
    hours: BusinessHours,
    *,
    started_at: datetime,
    due: datetime,
    now: datetime,
    is_paused: bool = False,
    near_breach_ratio: float = 0.8,
) -> SlaState:
    """Breached once ``now`` reaches ``due``; near breach once the ratio of business time is used."""
    if now >= due:
        return SlaState.BREACHED
    if is_paused:
        return SlaState.PAUSED
    allowed = business_elapsed(hours, started_at, due)
    used = business_elapsed(hours, started_at, now)
    if allowed > timedelta() and used >= allowed * near_breach_ratio:
        return SlaState.NEAR_BREACH
    return SlaState.OK


def raised(priority: Priority) -> Priority:
    """One step more urgent; urgent stays urgent."""
    return Priority(max(Priority.URGENT, priority - 1))


@dataclass(frozen=True, slots=True)
class Clock:
    """One running SLA clock of a case: which target, since when, due when, and the full allowance."""

    target: Target
    started_at: datetime
    due: datetime
    allowed: timedelta


@dataclass(frozen=True, slots=True)
class CaseSla:
    """Where a case stands against its policy: the worst of its running clocks, and that clock."""

    state: SlaState
    clock: Clock | None = None


#: Worse first, for choosing which clock a case shows.
_SEVERITY = {SlaState.BREACHED: 3, SlaState.NEAR_BREACH: 2, SlaState.PAUSED: 1, SlaState.OK: 0}


def running_clocks(
    policy: SlaPolicy,
    *,
    priority: Priority,
    channel: str | None,
    opened_at: datetime,
    first_response_due: datetime | None,
    first_responded_at: datetime | None,
    resolve_due: datetime | None,
    unanswered_since: datetime | None,
    missed_next_due: datetime | None = None,
) -> list[Clock]:
    """The clocks that run for an open case.

    Until the first response, the first-response clock; after it, the next-response clock runs
    from the customer's first message that has no answer yet (``unanswered_since``) until the
    next reply, due as the priority says or, once its breach escalated, when it was missed
    (``missed_next_due``: the priority the breach raised would move it earlier); the resolution
    clock runs throughout.
    """

    def allowed(target: Target) -> timedelta:
        return policy.target(target, priority=priority, channel=channel) or timedelta()

    clocks = []
    if first_responded_at is None:
        if first_response_due is not None:
            clocks.append(
                Clock(Target.FIRST_RESPONSE, opened_at, first_response_due, allowed(Target.FIRST_RESPONSE))
            )
    elif unanswered_since is not None:
        due = missed_next_due or due_at(
            policy, Target.NEXT_RESPONSE, priority=priority, start=unanswered_since, channel=channel
        )
        if due is not None:
            clocks.append(Clock(Target.NEXT_RESPONSE, unanswered_since, due, allowed(Target.NEXT_RESPONSE)))
    if resolve_due is not None:
        clocks.append(Clock(Target.RESOLUTION, opened_at, resolve_due, allowed(Target.RESOLUTION)))
    return clocks


def clock_state(policy: SlaPolicy, clock: Clock, *, now: datetime, is_paused: bool = False) -> SlaState:
    """Breached once ``now`` reaches the deadline; near breach once the policy's share of the allowance
    is used, that is, when at most the rest of it is left in business time.

    Measured as the business time left, so a deadline moved past a pause keeps its true margin.
    """
    if now >= clock.due:
        return SlaState.BREACHED
    if is_paused:
        return SlaState.PAUSED
    left = business_elapsed(policy.hours, now, clock.due)
    if clock.allowed > timedelta() and left <= clock.allowed * (1 - policy.near_breach_ratio):
        return SlaState.NEAR_BREACH
    return SlaState.OK


def case_sla(
    policy: SlaPolicy, clocks: Sequence[Clock], *, now: datetime, is_paused: bool = False
) -> CaseSla:
    """The worst state among ``clocks`` (on a tie, the clock due first); OK with no clock when none runs."""
    if not clocks:
        return CaseSla(SlaState.OK)
    rated = [(clock_state(policy, clock, now=now, is_paused=is_paused), clock) for clock in clocks]
    state, clock = min(rated, key=lambda pair: (-_SEVERITY[pair[0]], pair[1].due))
    return CaseSla(state, clock)
