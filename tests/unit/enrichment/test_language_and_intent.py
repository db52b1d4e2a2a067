"""Language is detected offline; intent tells complaints from questions, praise and suggestions."""

from __future__ import annotations

import pytest

from ombuds.enrichment.analyzers.intent import classify_intent
from ombuds.enrichment.analyzers.language import LanguageAnalyzer
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("@skyways my flight was delayed and nobody at the gate could tell us why", "en"),
        ("@skyways mi vuelo fue cancelado y nadie me ayuda en el aeropuerto", "es"),
        ("@skyways mon vol est en retard de trois heures, aucune information", "fr"),
        ("@skyways mein Gepäck ist seit drei Tagen verloren gegangen", "de"),
        ("@skyways 飛行機が三時間遅れています", "ja"),
    ],
)
def test_language_is_detected_offline(text: str, language: str) -> None:
    assert LanguageAnalyzer().analyze([MentionFacts(text)])[0].label == language


def test_text_without_words_is_undetermined() -> None:
    assert LanguageAnalyzer().analyze([MentionFacts("@skyways 👍👍 https://t.co/x")])[0].label == "und"


def intent(text: str) -> str:
    findings = load_default_engine().analyze([MentionFacts(text)])[0]
    return next(f.label for f in findings if f.analyzer == "intent") or ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@skyways flight 1234 delayed 4 hours and my bag is lost. worst airline ever", "complaint"),
        ("@skyways what time does the check-in desk open at JFK tomorrow?", "question"),
        ("@skyways thank you so much, the crew was lovely and we landed early!", "praise"),
        ("@skyways you should add power outlets to the older planes", "suggestion"),
        ("WIN a free iPhone!!! click here http://spam.example", "other"),
    ],
)
def test_intent_of_typical_messages(text: str, expected: str) -> None:
    assert intent(text) == expected


def test_intent_without_sentiment_still_reads_cues() -> None:
    assert classify_intent("How do I change my seat?")[0] == "question"
    assert classify_intent("ok")[0] == "other"
