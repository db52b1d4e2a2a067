"""A case's mood over its customer's messages: later words weigh more, a neutral nudge dilutes nothing."""

from __future__ import annotations

from ombuds.enrichment.case_mood import MessageMood, case_mood

ANGRY = MessageMood("negative", {"negative": 0.9, "neutral": 0.08, "positive": 0.02})
NUDGE = MessageMood("neutral", {"negative": 0.15, "neutral": 0.8, "positive": 0.05})
THANKS = MessageMood("positive", {"negative": 0.03, "neutral": 0.07, "positive": 0.9})


def test_angry_then_thanks_reads_positive() -> None:
    mood = case_mood([ANGRY, THANKS])
    assert mood is not None
    assert mood.label == "positive"
    assert mood.messages == 2


def test_a_neutral_nudge_does_not_dilute_a_complaint() -> None:
    mood = case_mood([ANGRY, NUDGE, NUDGE])
    assert mood is not None
    assert mood.label == "negative"
    assert mood.score == ANGRY.probabilities["negative"]


def test_only_neutral_messages_read_neutral_and_nothing_reads_nothing() -> None:
    mood = case_mood([NUDGE])
    assert mood is not None
    assert mood.label == "neutral"
    assert case_mood([]) is None


def test_a_persons_correction_counts_as_certain() -> None:
    corrected = MessageMood.from_finding("negative", 1.0, {"corrected_by": 3, "predicted": "neutral"})
    mood = case_mood([NUDGE, corrected])
    assert mood is not None
    assert mood.label == "negative"
    assert mood.score == 1.0
