"""Reposts and copy-paste campaigns share one group key: many copies, one voice."""

from __future__ import annotations

from ombuds.enrichment.analyzers.duplicates import DuplicateAnalyzer
from ombuds.enrichment.base import MentionFacts

ORIGINAL = "@skyways my bag was lost on flight 1234 and nobody will help me find it"


def keys(*texts: str) -> list[str | None]:
    return [finding.label for finding in DuplicateAnalyzer().analyze([MentionFacts(t) for t in texts])]


def test_reposts_and_copies_join_the_original() -> None:
    found = keys(
        ORIGINAL,
        "RT @angry_flyer: " + ORIGINAL,
        ORIGINAL.upper() + "!!! https://t.co/abc",
        "@skyways my bag got lost on flight 1234 and nobody will help me find it",
    )
    assert len(set(found)) == 1


def test_exact_copies_agree_across_batches() -> None:
    assert keys(ORIGINAL) == keys("RT @someone: " + ORIGINAL)


def test_different_complaints_stay_apart() -> None:
    found = keys(
        ORIGINAL,
        "@skyways the crew on flight 88 were wonderful, thank you",
        "@skyways my refund for booking K7XJ2P never arrived after six weeks",
    )
    assert len(set(found)) == 3


def test_reposts_are_marked() -> None:
    findings = DuplicateAnalyzer().analyze([MentionFacts("RT @a: " + ORIGINAL), MentionFacts(ORIGINAL)])
    assert [f.data["is_repost"] for f in findings] == [True, False]
