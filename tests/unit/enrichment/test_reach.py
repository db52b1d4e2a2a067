"""Reach: a large audience or a message already spreading ranks above a quiet one."""

from __future__ import annotations

from ombuds.enrichment.analyzers.reach import ReachAnalyzer
from ombuds.enrichment.base import MentionFacts


def reach(**facts: object) -> tuple[str | None, float]:
    finding = ReachAnalyzer().analyze([MentionFacts("@skyways lost my bag", **facts)])[0]  # type: ignore[arg-type]
    assert finding.score is not None
    return finding.label, finding.score


def test_tiers_follow_the_audience() -> None:
    assert reach(author_followers=40)[0] == "low"
    assert reach(author_followers=2_500)[0] == "medium"
    assert reach(author_followers=60_000)[0] == "high"
    assert reach(author_followers=2_000_000)[0] == "very_high"


def test_a_post_already_spreading_outranks_the_same_account_quietly() -> None:
    quiet = reach(author_followers=300)
    viral = reach(author_followers=300, metrics={"retweets": 4_000, "likes": 20_000, "replies": 900})
    assert viral[1] > quiet[1]
    assert viral[0] in {"high", "very_high"}


def test_media_authors_get_a_boost_and_private_messages_reach_nobody() -> None:
    assert reach(author_followers=5_000, author_type="media")[1] > reach(author_followers=5_000)[1]
    assert reach(author_followers=5_000_000, is_public=False) == ("low", 0.0)


def test_odd_metric_values_do_not_break_scoring() -> None:
    label, score = reach(author_followers=None, metrics={"likes": "n/a", "retweet_count": -3})  # type: ignore[dict-item]
    assert (label, score) == ("low", 0.0)


def test_metric_text_in_digits_that_are_not_plain_ascii_or_too_long_counts_as_nothing() -> None:
    # "²".isdigit() is true, yet int("²") fails; int() of thousands of digits raises
    metrics = {"likes": "²", "retweet_count": "9" * 5000, "reply_count": "٣"}
    assert reach(author_followers=None, metrics=metrics) == ("low", 0.0)
