"""The pure parts behind the outcome rows: the spans a case stood open, and the debt as two sums."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ombuds.cases.values import CaseStatus
from ombuds.metrics import definitions as d

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)


def move(hours: float, previous: CaseStatus, status: CaseStatus) -> d.StatusMove:
    return d.StatusMove(at=MONDAY + timedelta(hours=hours), previous=previous, status=status)


def test_a_case_resolved_reopened_and_resolved_again_stood_open_twice_and_agrees_with_status_at() -> None:
    moves = [
        move(1, CaseStatus.NEW, CaseStatus.OPEN),
        move(5, CaseStatus.OPEN, CaseStatus.PENDING),  # pending is still open: no break
        move(8, CaseStatus.PENDING, CaseStatus.RESOLVED),
        move(30, CaseStatus.RESOLVED, CaseStatus.OPEN),
        move(40, CaseStatus.OPEN, CaseStatus.CLOSED),
    ]
    spans = d.open_spans(moves, opened_at=MONDAY)
    assert spans == [
        (MONDAY, MONDAY + timedelta(hours=8)),
        (MONDAY + timedelta(hours=30), MONDAY + timedelta(hours=40)),
    ]
    for hours in (0, 0.5, 7.9, 8, 20, 30, 35, 40, 50):
        at = MONDAY + timedelta(hours=hours)
        held = any(start <= at < (end or at + timedelta(1)) for start, end in spans)
        assert held == (d.status_at(moves, at=at) in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING))


def test_a_case_never_moved_is_open_still() -> None:
    assert d.open_spans([], opened_at=MONDAY) == [(MONDAY, None)]


def test_the_debt_added_up_from_two_sums_is_the_sum_of_the_weights() -> None:
    cases = [(999, MONDAY), (0, MONDAY + timedelta(days=3, hours=12)), (42, MONDAY + timedelta(hours=5))]
    at = MONDAY + timedelta(days=7)
    weights = sum(d.debt_weight(followers=f, opened_at=o, at=at) for f, o in cases)
    total = d.debt_total(
        reach_sum=sum(d.reach(f) for f, _ in cases),
        reach_opened_sum=sum(d.reach(f) * o.timestamp() for f, o in cases),
        at=at,
    )
    assert total == pytest.approx(weights, abs=1e-9)
    assert d.debt_weight(followers=999, opened_at=MONDAY, at=at) == pytest.approx(8.0)  # 4 × 2, as documented


def test_the_figures_from_a_tally_are_the_figures_from_the_cases() -> None:
    resolved = [
        d.ResolvedCase(
            case_id=n,
            resolved_at=MONDAY,
            opened_in_period=n % 2 == 0,
            reopened_within_window=n == 3,
            first_contact_resolution=n != 3 if n != 4 else None,
            handoffs=n % 3,
            first_response_seconds=600 * n if n else None,
            resolution_seconds=3600 * n,
            met_sla=None if n == 0 else n % 2 == 1,
            survey_sent=True,
            survey_score=n + 1 if n < 5 else None,
            experience=d.Experience.POSITIVE if n > 2 else None,
            sentiment_before=-1 if n < 3 else 0,
            sentiment_after=n % 3 - 1,
            public_complaint=n < 4,
            closed_in_public=n < 2,
        )
        for n in range(6)
    ]
    whole = d.outcomes(opened=8, resolved=resolved, debt=[d.DebtCase(1, 2.5)])
    made = d.outcomes_of(d.tally(resolved), opened=8, unresolved=2.5)
    assert made == replace(whole, resolved_case_ids=())  # every figure, not some
    assert made.first_response_minutes == whole.first_response_minutes == d.Spread(30.0, 46.0)
