"""Priority from the case as its customer tells it: reach alone never makes thanks urgent."""

from __future__ import annotations

from ombuds.cases.values import Priority
from ombuds.enrichment.analyzers.intent import classify_intent
from ombuds.routing.rules import CaseFacts, route

BIG = 250_000


def test_thanks_with_a_negative_word_from_a_big_account_waits_behind_complaints() -> None:
    text = "@LarkspurAir Maria at the Vancouver desk found my lost passport. Hero"
    intent, _, cues = classify_intent(text, {"negative": 0.39, "neutral": 0.33, "positive": 0.28})
    assert intent == "praise"
    assert cues == ["praise words"]
    facts = CaseFacts(channel="x", sentiment="negative", sentiment_score=0.39, intent=intent, followers=BIG)
    assert route(facts).priority is Priority.LOW


def test_a_guessed_negative_is_not_urgent_however_big_the_account() -> None:
    unsure = CaseFacts(
        channel="x", sentiment="negative", sentiment_score=0.45, intent="complaint", followers=BIG
    )
    sure = CaseFacts(
        channel="x", sentiment="negative", sentiment_score=0.8, intent="complaint", followers=BIG
    )
    assert route(unsure).priority is Priority.NORMAL
    assert route(sure).priority is Priority.URGENT


def test_praise_read_surely_negative_is_still_not_urgent_by_reach() -> None:
    facts = CaseFacts(channel="x", sentiment="negative", sentiment_score=0.7, intent="praise", followers=BIG)
    assert route(facts).priority > Priority.HIGH


def test_a_customer_still_unhappy_who_wrote_again_without_an_answer_is_high() -> None:
    once = CaseFacts(
        channel="x", sentiment="negative", sentiment_score=0.8, intent="complaint", followers=200
    )
    twice = CaseFacts(
        channel="x",
        sentiment="negative",
        sentiment_score=0.8,
        intent="complaint",
        followers=200,
        unanswered_messages=2,
    )
    assert route(once).priority is Priority.NORMAL
    decision = route(twice)
    assert decision.priority is Priority.HIGH
    assert decision.reasons == ("still unhappy, wrote 2 times without an answer",)


def test_sarcastic_thanks_with_an_angry_emoji_stays_a_complaint() -> None:
    intent, _, _ = classify_intent(
        "Cancelled LK212 and a 3 hour queue to rebook. Thanks @LarkspurAir 😡",
        {"negative": 0.72, "neutral": 0.1, "positive": 0.18},
    )
    assert intent == "complaint"
