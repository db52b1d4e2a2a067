"""An SLA policy as people write it (names, minutes, "09:00-17:00") ↔ the pure ``sla.SlaPolicy``.

Pure: the API validates a manager's policy here, and the database row is read back the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from ombuds.cases.values import Priority
from ombuds.routing.business_hours import BusinessHours, Window
from ombuds.routing.sla import DEFAULT_POLICY, SlaPolicy, Target
from ombuds.timezones import NOT_A_REGION, is_time_zone, unknown_zone_message

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The longest target: a year of business time. Longer is no promise to a customer, and a due
#: moment centuries ahead cannot be computed at all.
MAX_TARGET_MINUTES = 365 * 24 * 60
#: The desk's hours must reach the longest target within this many years of the calendar.
MAX_TARGET_YEARS = 10
PRIORITY_NAMES = {p.name.lower(): p for p in Priority}


@dataclass(frozen=True, slots=True)
class SlaConfig:
    timezone: str = "UTC"
    hours: Mapping[str, list[str]] = field(default_factory=lambda: {d: ["00:00-24:00"] for d in WEEKDAYS})
    holidays: list[str] = field(default_factory=list)
    targets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    channel_targets: Mapping[str, Mapping[str, Mapping[str, int]]] = field(default_factory=dict)
    near_breach_percent: int = 80


@dataclass(frozen=True, slots=True)
class Escalation:
    """What happens once when a case breaches: each switch on does its part."""

    raise_priority: bool = True
    notify_managers: bool = True
    move_to_team_id: int | None = None


def _minutes_by_name(targets: Mapping[Priority, timedelta]) -> dict[str, int]:
    return {p.name.lower(): int(d.total_seconds() // 60) for p, d in sorted(targets.items())}


DEFAULT_CONFIG = SlaConfig(
    targets={
        Target.FIRST_RESPONSE.value: _minutes_by_name(DEFAULT_POLICY.first_response),
        Target.NEXT_RESPONSE.value: _minutes_by_name(DEFAULT_POLICY.next_response),
        Target.RESOLUTION.value: _minutes_by_name(DEFAULT_POLICY.resolution),
    }
)


def _targets(raw: Mapping[str, int], *, where: str) -> dict[Priority, timedelta]:
    parsed = {}
    for name, minutes in raw.items():
        if name not in PRIORITY_NAMES:
            raise ValueError(
                f"{where}: unknown priority {name!r}, expected one of {', '.join(PRIORITY_NAMES)}"
            )
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise ValueError(f"{where}.{name}: a target is a positive number of minutes, got {minutes!r}")
        if minutes > MAX_TARGET_MINUTES:
            raise ValueError(
                f"{where}.{name}: at most {MAX_TARGET_MINUTES:,} minutes (a year of business time), got {minutes:,}"
            )
        parsed[PRIORITY_NAMES[name]] = timedelta(minutes=minutes)
    return parsed


def _all(targets: Mapping[Target, Mapping[Priority, timedelta]]) -> list[timedelta]:
    return [duration for by_priority in targets.values() for duration in by_priority.values()]


def _reachable(weekly: Mapping[int, tuple[Window, ...]], durations: list[timedelta]) -> None:
    """Refuse targets the desk's weekly hours would reach only after ``MAX_TARGET_YEARS``."""
    open_minutes = sum(w.end - w.start for windows in weekly.values() for w in windows)
    longest = max(durations, default=timedelta())
    if longest > timedelta(minutes=open_minutes * 52 * MAX_TARGET_YEARS):
        raise ValueError(
            f"targets: {int(longest.total_seconds() // 60):,} minutes of business time take more than "
            f"{MAX_TARGET_YEARS} years at {open_minutes:,} open minutes a week; shorten the target or open longer"
        )


def _target(name: str, *, where: str) -> Target:
    try:
        return Target(name)
    except ValueError:
        raise ValueError(f"{where}: unknown target {name!r}, expected one of {', '.join(Target)}") from None


def policy_from_config(config: SlaConfig, *, is_stored: bool = False) -> SlaPolicy:
    """Check a written policy and build the pure one; ValueError says which field is wrong and why.

    ``is_stored`` reads back a policy saved earlier: one saved in "localtime" or another name that
    is no region, before those were refused, keeps routing cases rather than failing them all.
    """
    weekly: dict[int, tuple[Window, ...]] = {}
    for day, windows in config.hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"hours: unknown weekday {day!r}, expected one of {', '.join(WEEKDAYS)}")
        ordered = tuple(sorted((Window.parse(w) for w in windows), key=lambda w: w.start))
        weekly[WEEKDAYS.index(day)] = ordered
        for before, after in itertools.pairwise(ordered):
            if after.start < before.end:
                raise ValueError(f"hours.{day}: windows {before} and {after} overlap")
    if not any(weekly.values()):
        raise ValueError("hours: the desk must be open at least one window a week")
    try:
        holidays = frozenset(date.fromisoformat(d) for d in config.holidays)
    except ValueError as error:
        raise ValueError(f"holidays: {error}") from None
    # ZoneInfo would load "localtime" (the server's own clock) too: a new policy may not use it
    if not (is_time_zone(config.timezone) or (is_stored and config.timezone in NOT_A_REGION)):
        raise ValueError(f"timezone: {unknown_zone_message(config.timezone)}")
    hours = BusinessHours(timezone=config.timezone, weekly=weekly, holidays=holidays)
    by_target = {
        _target(k, where="targets"): _targets(v, where=f"targets.{k}") for k, v in config.targets.items()
    }
    channel_targets = {
        channel: {
            _target(k, where=f"channel_targets.{channel}"): _targets(
                v, where=f"channel_targets.{channel}.{k}"
            )
            for k, v in targets.items()
        }
        for channel, targets in config.channel_targets.items()
    }
    for required in (Target.FIRST_RESPONSE, Target.RESOLUTION):
        missing = [n for n, p in PRIORITY_NAMES.items() if p not in by_target.get(required, {})]
        if missing:
            raise ValueError(
                f"targets.{required}: every priority needs a target, missing {', '.join(missing)}"
            )
    _reachable(weekly, [d for targets in (by_target, *channel_targets.values()) for d in _all(targets)])
    if not 1 <= config.near_breach_percent <= 99:
        raise ValueError(f"near_breach_percent: between 1 and 99, got {config.near_breach_percent}")
    return SlaPolicy(
        first_response=by_target[Target.FIRST_RESPONSE],
        next_response=by_target.get(Target.NEXT_RESPONSE, {}),
        resolution=by_target[Target.RESOLUTION],
        by_channel=channel_targets,
        hours=hours,
        near_breach_ratio=config.near_breach_percent / 100,
    )
