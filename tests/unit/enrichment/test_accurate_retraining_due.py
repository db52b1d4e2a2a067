"""When the runner tunes a brand's accurate model again by itself (the rule, pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.enrichment.accurate.due import accurate_retraining_due

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("new_examples", "tuned_ago", "min_examples", "due"),
    [
        (50, timedelta(days=2), 50, True),  # enough corrections, tuned long ago
        (49, timedelta(days=2), 50, False),  # one correction short
        (500, timedelta(hours=23), 50, False),  # many, but tuned within the day: minutes of every core
        (500, DAY, 50, True),
        (0, timedelta(days=30), 50, False),  # nothing new: tuning again would learn the same
        (500, timedelta(days=30), 0, False),  # 0: left to `ombuds train --accurate`
        (1, timedelta(days=2), 1, True),
    ],
)
def test_a_brand_s_accurate_model_is_tuned_again_after_enough_new_examples_at_most_once_a_day(
    new_examples: int, tuned_ago: timedelta, min_examples: int, due: bool
) -> None:
    assert (
        accurate_retraining_due(
            new_examples=new_examples,
            trained_at=NOW - tuned_ago,
            now=NOW,
            min_examples=min_examples,
            every=DAY,
        )
        is due
    )
