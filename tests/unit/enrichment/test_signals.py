"""Signals that decide who must see a mention, each with the words that triggered it."""

from __future__ import annotations

import pytest

from ombuds.enrichment.analyzers.signals import SignalAnalyzer
from ombuds.enrichment.base import MentionFacts


def signals_of(text: str, **facts: object) -> dict[str, list[dict[str, object]]]:
    finding = SignalAnalyzer().analyze([MentionFacts(text, **facts)])[0]  # type: ignore[arg-type]
    return {item["name"]: item["evidence"] for item in finding.data["signals"]}


@pytest.mark.parametrize(
    ("text", "signal", "evidence"),
    [
        (
            "@skyways I'm cancelling my account today, this is the last straw",
            "churn_threat",
            "cancelling my account",
        ),
        (
            "@skyways never flying with you again. 4 hours on the tarmac",
            "churn_threat",
            "never flying with you again",
        ),
        ("@skyways my lawyer will be in touch about the damaged wheelchair", "legal_threat", "my lawyer"),
        (
            "@skyways reporting you to the DOT for this refund refusal",
            "legal_threat",
            "reporting you to the DOT",
        ),
        ("@skyways there is smoke coming from the overhead bin on flight 22", "safety", "smoke coming"),
        ("@skyways my son had an allergic reaction to the snack you served", "safety", "allergic reaction"),
        ("@skyways your CEO will hear about this", "executive_escalation", "your CEO"),
        ("@skyways @skyways_ceo are you reading this?", "executive_escalation", "@skyways_ceo"),
        (
            "@skyways this is the third time I've called about my refund",
            "repeat_contact",
            "third time I've called",
        ),
        ("@skyways already emailed twice, nothing", "repeat_contact", "already emailed"),
        ("@skyways please DM me, it's about my booking", "private_channel", "DM me"),
        (
            "@skyways I don't want to post this publicly, how do I reach you?",
            "private_channel",
            "don't want to post this publicly",
        ),
        ("@skyways can I DM you my booking reference?", "private_channel", "can I DM you"),
        ("@skyways I'm a reporter at the Ledger writing a story on delays", "media_author", "I'm a reporter"),
    ],
)
def test_cue_fires_with_its_evidence_span(text: str, signal: str, evidence: str) -> None:
    found = signals_of(text)
    assert signal in found, found
    span = found[signal][0]
    assert str(span["text"]).lower().startswith(evidence.lower())
    assert text[int(span["start"]) : int(span["end"])] == span["text"]


@pytest.mark.parametrize(
    "text",
    [
        "@skyways no need to DM me, just fix the app",
        "@skyways don't DM me, answer here",
        "@skyways I am not cancelling my subscription, just want the bill fixed",
        "@skyways my flight was cancelled and rebooked within minutes, great job",
        "@skyways I'm the CEO of a small bakery and I fly with you every month",
        "@skyways Sue at the gate was wonderful",
        "@skyways to add insult to injury the wifi was down",
        "@skyways the new playlist is on fire",
        "@skyways why did you call me at 2am about a gate change?",
        "@skyways we received confirmation via email, thanks",
        "@skyways going to LAX instead of SFO tomorrow, can I change?",
        "@skyways thanks, great flight!",
    ],
)
def test_look_alikes_do_not_fire(text: str) -> None:
    assert signals_of(text) == {}


def test_journalist_profile_marks_the_author_as_media() -> None:
    found = signals_of("@skyways any comment on today's outage?", author_bio="Travel reporter @ The Ledger")
    assert found["media_author"][0]["field"] == "author_bio"


def test_same_customer_same_issue_within_days_is_a_repeat_contact() -> None:
    earlier = "@skyways my bag never arrived in Denver, file DEN4471"
    found = signals_of("@skyways bag from Denver still not arrived, file DEN4471", recent_texts=[earlier])
    assert "repeat_contact" in found
    assert signals_of("@skyways great snacks on board today", recent_texts=[earlier]) == {}
