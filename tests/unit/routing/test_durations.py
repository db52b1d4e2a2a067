"""Which spans of a case's life count as worked time, and how much business time they hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.cases.values import CaseStatus
from ombuds.routing.business_hours import ALWAYS_OPEN, BusinessHours, Window
from ombuds.routing.durations import StatusChange, business_seconds, running_spans

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)


def test_pending_and_resolved_spans_are_left_out_in_any_order() -> None:
    changes = [
        StatusChange(T0 + 5 * H, CaseStatus.RESOLVED),
        StatusChange(T0 + H, CaseStatus.PENDING),
        StatusChange(T0 + 3 * H, CaseStatus.OPEN),
        StatusChange(T0 + 6 * H, CaseStatus.OPEN),  # reopened
        StatusChange(T0 + 9 * H, CaseStatus.RESOLVED),  # after the end asked about
    ]
    assert running_spans(opened_at=T0, end=T0 + 7 * H, changes=changes) == [
        (T0, T0 + H),
        (T0 + 3 * H, T0 + 5 * H),
        (T0 + 6 * H, T0 + 7 * H),
    ]
    assert business_seconds(ALWAYS_OPEN, opened_at=T0, end=T0 + 7 * H, changes=changes) == 4 * 3600


def test_only_opening_hours_count() -> None:
    nine_to_five = BusinessHours(timezone="UTC", weekly={d: (Window(9 * 60, 17 * 60),) for d in range(5)})
    # Monday 16:00 to Tuesday 10:00: one hour each day
    start = T0 + 7 * H
    assert business_seconds(nine_to_five, opened_at=start, end=start + 18 * H, changes=[]) == 2 * 3600


def test_nothing_counts_before_the_case_opened_or_after_it_ended() -> None:
    assert running_spans(opened_at=T0, end=T0, changes=[]) == []
    assert business_seconds(ALWAYS_OPEN, opened_at=T0, end=T0 - H, changes=[]) == 0
