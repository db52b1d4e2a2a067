"""A case's running SLA clocks and the one state the inbox shows: pure, in business time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.cases.values import Priority
from ombuds.routing import sla
from ombuds.routing.business_hours import BusinessHours, Window
from ombuds.routing.sla import Clock, SlaState, Target

OFFICE = BusinessHours(timezone="UTC", weekly=dict.fromkeys(range(5), (Window.parse("09:00-17:00"),)))
POLICY = sla.SlaPolicy(
    first_response={Priority.NORMAL: timedelta(hours=4)},
    next_response={Priority.NORMAL: timedelta(hours=2), Priority.HIGH: timedelta(hours=1)},
    resolution={Priority.NORMAL: timedelta(hours=16)},
    hours=OFFICE,
)
MONDAY_9AM = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def clocks(**facts: datetime | None) -> list[Clock]:
    base: dict[str, datetime | None] = {
        "first_response_due": MONDAY_9AM + timedelta(hours=4),
        "first_responded_at": None,
        "resolve_due": MONDAY_9AM + timedelta(days=1, hours=8),
        "unanswered_since": None,
    }
    return sla.running_clocks(
        POLICY, priority=Priority.NORMAL, channel=None, opened_at=MONDAY_9AM, **(base | facts)
    )


def test_until_the_first_response_its_clock_runs_beside_the_resolution() -> None:
    assert [c.target for c in clocks()] == [Target.FIRST_RESPONSE, Target.RESOLUTION]


def test_the_next_response_clock_runs_from_the_first_unanswered_message_in_business_hours() -> None:
    asked_again = MONDAY_9AM + timedelta(hours=7, minutes=30)  # 16:30: half an hour left on Monday
    running = clocks(first_responded_at=MONDAY_9AM + timedelta(hours=1), unanswered_since=asked_again)
    assert [c.target for c in running] == [Target.NEXT_RESPONSE, Target.RESOLUTION]
    assert running[0].started_at == asked_again
    assert running[0].due == MONDAY_9AM + timedelta(days=1, hours=1, minutes=30)  # Tuesday 10:30
    answered = clocks(first_responded_at=MONDAY_9AM + timedelta(hours=1))
    assert [c.target for c in answered] == [Target.RESOLUTION], "nothing owed: only the resolution runs"


def test_near_breach_starts_when_80_percent_of_the_target_is_used() -> None:
    first = clocks()[0]  # four office hours, due 13:00
    at = MONDAY_9AM + timedelta(hours=3, minutes=12)  # 80 % used
    assert sla.clock_state(POLICY, first, now=at - timedelta(minutes=1)) is SlaState.OK
    assert sla.clock_state(POLICY, first, now=at) is SlaState.NEAR_BREACH
    assert sla.clock_state(POLICY, first, now=first.due) is SlaState.BREACHED
    assert sla.clock_state(POLICY, first, now=at, is_paused=True) is SlaState.PAUSED


def test_a_deadline_moved_past_a_pause_keeps_its_true_margin() -> None:
    # paused with 3 h left, resumed Tuesday 9:00: due Tuesday 12:00; at 9:30 only 1/8 of it is used
    moved = Clock(
        Target.FIRST_RESPONSE, MONDAY_9AM, MONDAY_9AM + timedelta(days=1, hours=3), timedelta(hours=4)
    )
    now = MONDAY_9AM + timedelta(days=1, minutes=30)
    assert sla.clock_state(POLICY, moved, now=now) is SlaState.OK


def test_the_case_shows_its_worst_clock_and_on_a_tie_the_one_due_first() -> None:
    first, resolution = clocks()
    late = MONDAY_9AM + timedelta(hours=5)  # first response missed at 13:00, resolution far off
    shown = sla.case_sla(POLICY, [resolution, first], now=late)
    assert shown.state is SlaState.BREACHED
    assert shown.clock == first
    calm = sla.case_sla(POLICY, [resolution, first], now=MONDAY_9AM + timedelta(minutes=10))
    assert calm.state is SlaState.OK
    assert calm.clock == first  # both on time: the one due first
    assert sla.case_sla(POLICY, [], now=late) == sla.CaseSla(SlaState.OK)
