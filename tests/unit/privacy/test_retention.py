"""The retention cut-off and how purged rows add up into the daily roll-up, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ombuds.privacy.retention import (
    CaseFact,
    MentionFact,
    RollupKey,
    Tally,
    merge_tallies,
    months_before,
    tally_cases,
    tally_mentions,
)

MAR_31 = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (1, datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        (3, datetime(2025, 12, 31, 12, 0, tzinfo=UTC)),
        (25, datetime(2024, 2, 29, 12, 0, tzinfo=UTC)),
        (0, MAR_31),
    ],
)
def test_months_before_keeps_the_day_where_the_month_has_it(months: int, expected: datetime) -> None:
    assert months_before(MAR_31, months) == expected


def test_a_negative_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        months_before(MAR_31, -1)


def test_a_retention_longer_than_the_calendar_purges_nothing_rather_than_failing() -> None:
    # stored before retention had a ceiling: the runner's purge failed every round on it
    assert months_before(MAR_31, 100_000) == datetime.min.replace(tzinfo=UTC)
    assert months_before(MAR_31, 2**63 - 1) == datetime.min.replace(tzinfo=UTC)


def test_messages_and_cases_add_up_by_day_and_their_own_keys() -> None:
    morning, evening = datetime(2025, 1, 5, 8, tzinfo=UTC), datetime(2025, 1, 5, 22, tzinfo=UTC)
    mentions = tally_mentions(
        [
            MentionFact(morning, "twitter", "baggage", "negative"),
            MentionFact(evening, "twitter", "baggage", "negative"),
            MentionFact(evening, "email", None, None),
        ]
    )
    cases = tally_cases(
        [
            CaseFact(
                morning,
                "twitter",
                2,
                resolved_at=evening,
                first_responded_at=datetime(2025, 1, 5, 9, tzinfo=UTC),
            ),
            CaseFact(evening, "twitter", 2, resolved_at=None, first_responded_at=None),
        ]
    )
    day = date(2025, 1, 5)

    assert mentions == {
        RollupKey(day, "twitter", "baggage", "negative"): Tally(mentions=2),
        RollupKey(day, "email"): Tally(mentions=1),
    }
    assert cases == {
        RollupKey(day, "twitter", priority=2): Tally(
            cases_opened=2, cases_resolved=1, first_responses=1, first_response_seconds=3600
        )
    }
    doubled = merge_tallies(mentions, mentions)
    assert doubled[RollupKey(day, "email")] == Tally(mentions=2)
