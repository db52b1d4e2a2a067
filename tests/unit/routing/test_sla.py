"""SLA targets by priority and channel, pauses and near-breach states in business time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.cases.values import Priority
from ombuds.routing import sla
from ombuds.routing.business_hours import BusinessHours, Window
from ombuds.routing.sla import SlaState, Target

OFFICE = BusinessHours(timezone="UTC", weekly=dict.fromkeys(range(5), (Window.parse("09:00-17:00"),)))
POLICY = sla.SlaPolicy(
    first_response={Priority.NORMAL: timedelta(hours=4)},
    resolution={Priority.NORMAL: timedelta(hours=16)},
    by_channel={"x": {Target.FIRST_RESPONSE: {Priority.NORMAL: timedelta(hours=1)}}},
    hours=OFFICE,
)
FRIDAY_3PM = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_deadlines_count_business_hours_only() -> None:
    due = sla.first_response_due(POLICY, priority=Priority.NORMAL, opened_at=FRIDAY_3PM)
    assert due == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 2 h on Friday, 2 h on Monday


def test_a_channel_can_have_its_own_target_and_falls_back_otherwise() -> None:
    assert POLICY.target(Target.FIRST_RESPONSE, priority=Priority.NORMAL, channel="x") == timedelta(hours=1)
    assert POLICY.target(Target.FIRST_RESPONSE, priority=Priority.NORMAL, channel="email") == timedelta(
        hours=4
    )
    assert POLICY.target(Target.NEXT_RESPONSE, priority=Priority.NORMAL) is None


def test_the_default_policy_keeps_todays_round_the_clock_targets() -> None:
    opened = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)  # a Saturday night still counts
    assert sla.first_response_due(
        sla.DEFAULT_POLICY, priority=Priority.URGENT, opened_at=opened
    ) == opened + timedelta(minutes=30)
    assert sla.resolution_due(
        sla.DEFAULT_POLICY, priority=Priority.LOW, opened_at=opened
    ) == opened + timedelta(days=5)


def test_a_pause_moves_the_deadline_by_the_business_time_left() -> None:
    due = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # Monday 11:00
    paused = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # Friday 16:00: 3 business hours left
    resumed = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # Tuesday 15:00
    assert sla.resume_due(OFFICE, due=due, paused_at=paused, resumed_at=resumed) == datetime(
        2026, 12, 9, 10, 0, tzinfo=UTC
    )


def test_a_pause_does_not_undo_a_breach() -> None:
    due = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert (
        sla.resume_due(OFFICE, due=due, paused_at=FRIDAY_3PM, resumed_at=FRIDAY_3PM + timedelta(days=3))
        == due
    )


def test_states_by_the_share_of_business_time_used() -> None:
    started = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    due = datetime(2026, 12, 4, 19, 0, tzinfo=UTC) - timedelta(hours=2)  # 8 business hours

    def state(now: datetime, *, is_paused: bool = False) -> SlaState:
        return sla.sla_state(OFFICE, started_at=started, due=due, now=now, is_paused=is_paused)

    assert state(started + timedelta(hours=6)) is SlaState.OK
    assert state(started + timedelta(hours=6, minutes=24)) is SlaState.NEAR_BREACH
    assert state(started + timedelta(hours=6), is_paused=True) is SlaState.PAUSED
    assert state(due) is SlaState.BREACHED


def test_raising_priority_stops_at_urgent() -> None:
    assert sla.raised(Priority.LOW) is Priority.NORMAL
    assert sla.raised(Priority.URGENT) is Priority.URGENT
