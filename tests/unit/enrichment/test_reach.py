"""Reach: a large audience or a message already spreading ranks above a quiet one."""

from __future__ import annotations

from ombuds.enrichment.analyzers.reach import MOST, ReachAnalyzer
from ombuds.enrichment.base import MentionFacts, stored


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


def test_counts_past_any_real_post_are_read_as_the_most_and_can_be_stored() -> None:
    """A client sending likes of 1e308, or three names for likes at 9e18 each, once summed past
    what JSON holds and failed the message's analysis: the message was accepted and never read."""
    metrics = {"likes": 1e308, "favorites": 9 * 10**18, "favourites": 9 * 10**18, "retweets": float("inf")}
    finding = ReachAnalyzer().analyze(
        [MentionFacts("@skyways lost my bag", author_followers=2**63 - 1, metrics=metrics)]  # type: ignore[arg-type]
    )[0]
    assert finding.label == "very_high"
    assert finding.data["engagement"] == {"reposts": 0, "replies": 0, "likes": 3 * MOST}
    assert finding.data["followers"] == MOST
    assert stored(finding)[4].startswith("{")  # the row's JSON is written
