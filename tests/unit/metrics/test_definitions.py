"""The arithmetic of the care outcomes (docs/metrics.md), on plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from ombuds.cases.values import CaseStatus
from ombuds.metrics import definitions as d
from ombuds.metrics.charts import bar_chart, meter
from ombuds.metrics.periods import PeriodError, last_days, parse_period

MONDAY = datetime(2026, 11, 2, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def move(at: datetime, previous: CaseStatus | None, status: CaseStatus, **kwargs: object) -> d.StatusMove:
    return d.StatusMove(at=at, previous=previous, status=status, **kwargs)  # type: ignore[arg-type]


def test_percentiles_interpolate_between_ranks_and_say_none_for_nothing() -> None:
    assert d.percentile([30, 30, 60, 90, 120], 0.5) == 60
    assert d.percentile([30, 30, 60, 90, 120], 0.9) == pytest.approx(108)
    assert d.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert d.percentile([7], 0.9) == 7
    assert d.percentile([], 0.5) is None


def test_a_case_is_counted_at_its_first_resolution_and_spam_is_no_problem_solved() -> None:
    history = [
        move(MONDAY + 3 * DAY, CaseStatus.OPEN, CaseStatus.RESOLVED),
        move(MONDAY, CaseStatus.NEW, CaseStatus.RESOLVED),
        move(MONDAY + DAY, CaseStatus.RESOLVED, CaseStatus.OPEN),
    ]
    assert d.first_resolution(history) == d.Resolution(at=MONDAY, is_problem=True)
    spam = [move(MONDAY, CaseStatus.NEW, CaseStatus.RESOLVED, resolved_as="spam")]
    assert d.first_resolution(spam) == d.Resolution(at=MONDAY, is_problem=False)
    assert d.first_resolution([move(MONDAY, CaseStatus.NEW, CaseStatus.OPEN)]) is None


def test_only_the_customer_coming_back_within_seven_days_is_a_reopen() -> None:
    def reopen(after: timedelta, **kwargs: object) -> list[d.StatusMove]:
        return [move(MONDAY + after, CaseStatus.RESOLVED, CaseStatus.OPEN, **kwargs)]

    assert d.reopened_within(reopen(7 * DAY), resolved_at=MONDAY)
    assert not d.reopened_within(reopen(7 * DAY + HOUR), resolved_at=MONDAY)
    assert not d.reopened_within(reopen(DAY, is_check_in=True), resolved_at=MONDAY), "the desk's own check-in"
    pending_to_open = [move(MONDAY + DAY, CaseStatus.PENDING, CaseStatus.OPEN)]
    assert not d.reopened_within(pending_to_open, resolved_at=MONDAY)


def test_the_status_at_a_moment_is_the_last_move_before_it() -> None:
    history = [
        move(MONDAY, CaseStatus.NEW, CaseStatus.RESOLVED),
        move(MONDAY + DAY, CaseStatus.RESOLVED, CaseStatus.OPEN),
    ]
    assert d.status_at(history, at=MONDAY - HOUR) is CaseStatus.NEW
    assert d.status_at(history, at=MONDAY + HOUR) is CaseStatus.RESOLVED
    assert d.status_at(history, at=MONDAY + 2 * DAY) is CaseStatus.OPEN


def test_sla_is_met_only_when_every_target_the_case_had_was() -> None:
    due = MONDAY + 4 * HOUR
    assert d.met_sla(first_response_due_at=due, first_responded_at=due, resolve_due_at=None, resolved_at=due)
    assert not d.met_sla(
        first_response_due_at=due, first_responded_at=due, resolve_due_at=due, resolved_at=due + HOUR
    )
    assert not d.met_sla(
        first_response_due_at=due, first_responded_at=None, resolve_due_at=None, resolved_at=due
    )
    assert (
        d.met_sla(first_response_due_at=None, first_responded_at=None, resolve_due_at=None, resolved_at=due)
        is None
    )


def test_an_answered_survey_says_the_experience_else_the_latest_leaning_message() -> None:
    assert d.experience(survey_score=4, sentiments=["negative"]) is d.Experience.POSITIVE
    assert d.experience(survey_score=2, sentiments=["positive"]) is d.Experience.NEGATIVE
    assert d.experience(survey_score=3, sentiments=["positive"]) is None
    assert (
        d.experience(survey_score=None, sentiments=["negative", "positive", "neutral"])
        is d.Experience.POSITIVE
    )
    assert d.experience(survey_score=None, sentiments=[None, "neutral"]) is None
    assert d.was_negative(survey_score=None, sentiments=["negative", "positive"])
    assert d.was_negative(survey_score=1, sentiments=[])
    assert not d.was_negative(survey_score=5, sentiments=["neutral"])


def test_debt_weighs_reach_times_age() -> None:
    assert d.debt_weight(followers=None, opened_at=MONDAY, at=MONDAY) == 1
    assert d.debt_weight(followers=999, opened_at=MONDAY, at=MONDAY + 7 * DAY) == pytest.approx(8)
    assert d.debt_weight(followers=9, opened_at=MONDAY, at=MONDAY + 14 * DAY) == pytest.approx(6)


def resolved(case_id: int, **facts: object) -> d.ResolvedCase:
    base: dict[str, object] = {
        "case_id": case_id,
        "resolved_at": MONDAY,
        "opened_in_period": True,
        "reopened_within_window": False,
        "first_contact_resolution": True,
        "handoffs": 0,
        "first_response_seconds": None,
        "resolution_seconds": None,
        "met_sla": None,
        "survey_sent": False,
        "survey_score": None,
        "experience": None,
    }
    return d.ResolvedCase(**{**base, **facts})  # type: ignore[arg-type]


def test_outcomes_are_null_without_data_and_zero_only_when_measured_zero() -> None:
    empty = d.outcomes(opened=0, resolved=[], debt=[])
    assert (empty.resolution_rate, empty.first_contact_resolution_rate, empty.reopen_rate) == (
        None,
        None,
        None,
    )
    assert (empty.handoffs_per_case, empty.sla_attainment, empty.csat.average) == (None, None, None)
    assert empty.experience_debt == d.ExperienceDebt(unresolved_negative=0, resolved_positive=0, ratio=None)

    failed = d.outcomes(
        opened=1,
        resolved=[resolved(1, first_contact_resolution=False, met_sla=False, survey_sent=True)],
        debt=[d.DebtCase(case_id=2, weight=1.0)],
    )
    assert (failed.first_contact_resolution_rate, failed.sla_attainment) == (0.0, 0.0)
    assert failed.csat == d.Csat(average=None, responses=0, response_rate=0.0)
    assert failed.experience_debt.ratio == 0.0


def test_resolving_a_backlog_keeps_the_resolution_rate_a_fraction() -> None:
    found = d.outcomes(
        opened=2,
        resolved=[resolved(1), resolved(2, opened_in_period=False), resolved(3, opened_in_period=False)],
        debt=[],
    )
    assert (found.cases_opened, found.cases_resolved, found.resolution_rate) == (2, 3, 0.5)


def test_twelve_resolved_positive_experiences_pay_back_one_unresolved_negative() -> None:
    found = d.outcomes(
        opened=12,
        resolved=[resolved(n, experience=d.Experience.POSITIVE) for n in range(12)],
        debt=[d.DebtCase(case_id=99, weight=1.0)],
    )
    assert found.experience_debt.ratio == d.POSITIVE_PER_NEGATIVE


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (None, "2026-11-08", "from: missing"),
        ("2026-11-02", "", "to: missing"),
        ("last week", "2026-11-08", "from: 'last week' is not an ISO date"),
        ("2026-11-02", "2026-02-30", "to: '2026-02-30' is not an ISO date"),
        ("2026-11-02", "9999-12-31", "to: '9999-12-31' is outside the years 1900 to 2999"),
        ("2026-11-08", "2026-11-02", "to: '2026-11-02' is before from \\('2026-11-08'\\)"),
        ("2026-11-02T09:00Z", "2026-11-02T09:00Z", "to: '2026-11-02T09:00Z' is the moment from begins"),
        ("0001-01-01", "2026-11-02", "from: '0001-01-01' is outside the years 1900 to 2999"),
        ("2026-11-01", "9999-12-30T23:59:59", "to: '9999-12-30T23:59:59' is outside the years"),
    ],
)
def test_a_period_that_cannot_be_read_names_its_field(start: str | None, end: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message.replace("+", r"\+")):
        parse_period(start, end)


def test_a_date_covers_its_whole_day_and_a_time_without_zone_is_utc() -> None:
    assert parse_period("2026-11-02", "2026-11-08") == (
        datetime(2026, 11, 2, tzinfo=UTC),
        datetime(2026, 11, 9, tzinfo=UTC),
    )
    assert parse_period("2026-11-02T09:00", "2026-11-02T11:00+01:00") == (MONDAY, MONDAY + HOUR)
    assert parse_period("2026-11-02T09:00Z", "2026-11-02T10:00Z") == (MONDAY, MONDAY + HOUR)


def test_a_period_is_cut_into_days_weeks_or_months_ending_at_its_end() -> None:
    week = d.buckets(MONDAY, MONDAY + 7 * DAY)
    assert len(week) == 7
    assert week[0] == (MONDAY, MONDAY + DAY)
    assert week[-1][1] == MONDAY + 7 * DAY
    quarter = d.buckets(MONDAY, MONDAY + 90 * DAY)
    assert len(quarter) == 13
    assert quarter[-1] == (MONDAY + 84 * DAY, MONDAY + 90 * DAY)
    assert len(d.buckets(MONDAY, MONDAY + 365 * DAY)) == 13  # 30-day spans
    assert len(d.buckets(MONDAY, MONDAY + 36500 * DAY)) == d.MAX_BUCKETS
    assert d.bucket_of(MONDAY + DAY, week) == 1
    assert d.bucket_of(MONDAY + 7 * DAY, week) is None


def test_a_period_is_the_brands_days_where_it_is() -> None:
    # New York is UTC-5 in November; its clocks went back on Sunday 1 November 2026
    assert parse_period("2026-11-02", "2026-11-08", timezone="America/New_York") == (
        datetime(2026, 11, 2, 5, tzinfo=UTC),
        datetime(2026, 11, 9, 5, tzinfo=UTC),
    )
    # a time typed without an offset is on the brand's clock; one with an offset is where it says
    assert parse_period("2026-11-02T09:00", "2026-11-02T15:00Z", timezone="America/New_York") == (
        datetime(2026, 11, 2, 14, tzinfo=UTC),
        datetime(2026, 11, 2, 15, tzinfo=UTC),
    )
    # "the last 7 days" late on Thursday evening there are Friday a week ago to that Thursday
    thursday_evening = datetime(2026, 11, 6, 2, tzinfo=UTC)  # 21:00 on Thursday 5 November there
    assert last_days(thursday_evening, 7, timezone="America/New_York") == (
        datetime(2026, 10, 30, 4, tzinfo=UTC),  # Friday 30 October, still on summer time
        datetime(2026, 11, 6, 5, tzinfo=UTC),
    )
    assert last_days(thursday_evening, 7, timezone="UTC")[1] == datetime(2026, 11, 7, tzinfo=UTC)


def test_buckets_follow_the_brands_calendar_across_a_change_of_clocks() -> None:
    start, end = last_days(datetime(2026, 11, 6, 2, tzinfo=UTC), 7, timezone="America/New_York")
    days = d.buckets(start, end, timezone="America/New_York")
    assert len(days) == 7
    lengths = [(cut_end - cut_start) / HOUR for cut_start, cut_end in days]
    assert lengths == [24, 24, 25, 24, 24, 24, 24]  # Sunday 1 November had an hour more
    assert all(cut_start.astimezone(ZoneInfo("America/New_York")).hour == 0 for cut_start, _ in days)
    weeks = d.buckets(start, start + 30 * DAY, timezone="Europe/London")
    assert weeks[0][0] == start
    assert weeks[-1][1] == start + 30 * DAY
    assert all(a[1] == b[0] for a, b in pairwise(weeks))  # they tile the period


def test_voice_ranks_by_volume_and_finds_what_is_emerging() -> None:
    def said(n: int, category: str, *, negative: bool = False, hours: int = 0) -> d.Said:
        return d.Said(
            mention_id=n, case_id=n, at=MONDAY + hours * HOUR, category=category, is_negative=negative
        )

    found = d.voice(
        [
            said(1, "wifi", negative=True),
            said(2, "wifi", hours=5),
            said(3, "wifi", negative=True, hours=2),
            said(4, "refund"),
            said(5, "refund", negative=True),
            said(6, "meals"),
        ],
        previous={"wifi": 1, "refund": 4},
        limit=2,
    )
    assert [(v.category, v.messages, v.negative_share, v.change, v.is_emerging) for v in found] == [
        ("wifi", 3, 0.6667, 2.0, True),
        ("refund", 2, 0.5, -0.5, False),
    ]
    assert found[0].example_ids == (3, 1, 2)  # negative first, newest first
    new = d.voice([said(1, "meals")], previous={})
    assert (new[0].change, new[0].is_emerging) == (None, False)  # nothing before; one message is noise


def test_bars_scale_to_the_largest_value_leave_gaps_for_no_data_and_draw_the_target() -> None:
    chart = bar_chart(
        [2.0, None, 4.0], labels=["a", "b", "c"], titles=["2", "–", "4"], summary="s", width=300, height=118
    )
    assert [(bar.x, bar.height) for bar in chart.bars] == [(1.0, 48.0), (201.0, 96.0)]  # baseline 100, top 4
    assert chart.bars[1].y == 4.0
    assert (chart.first_label, chart.last_label) == ("a", "c")
    goal = bar_chart([1.0], labels=["a"], titles=["1"], summary="s", target=12.0, width=300, height=118)
    assert goal.target == 4.0
    assert bar_chart([], labels=[], titles=[], summary="nothing").bars == ()
    assert (meter(None), meter(0.5, width=120), meter(1.7, width=120)) == (None, 60.0, 120.0)
