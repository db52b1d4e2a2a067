"""Each analyzer's data has one type: what the analyzer stores, every reader gets back the same."""

from __future__ import annotations

import pytest

from ombuds.enrichment.analyzers.pii import PiiAnalyzer
from ombuds.enrichment.analyzers.signals import SignalAnalyzer
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.findings import (
    ClassifierData,
    FindingDataError,
    IntentData,
    PiiData,
    PiiSpan,
    SignalEvidence,
    SignalHit,
    SignalsData,
)


def test_signals_read_back_as_written() -> None:
    data = SignalsData(
        (
            SignalHit("churn_threat", (SignalEvidence(0, 9, "cancelling"),)),
            SignalHit("media_author", (SignalEvidence(0, 10, "journalist", "author_bio"),)),
        )
    )
    assert SignalsData.parse(data.to_data()) == data
    assert data.names == {"churn_threat", "media_author"}


def test_what_the_signals_analyzer_stores_parses() -> None:
    text = "I'm cancelling my account, my lawyer will hear about this"
    (finding,) = SignalAnalyzer().analyze([MentionFacts(text=text)])
    parsed = SignalsData.parse(finding.data)
    assert parsed.names == {"churn_threat", "legal_threat"}
    assert all(text[e.start : e.end] == e.text for hit in parsed.signals for e in hit.evidence)


def test_personal_data_reads_back_as_written() -> None:
    data = PiiData((PiiSpan("email", 9, 20),), ("email",), "write to [email]")
    assert PiiData.parse(data.to_data()) == data


def test_what_the_pii_analyzer_stores_parses() -> None:
    text = "mail me at ada@example.com"
    (finding,) = PiiAnalyzer().analyze([MentionFacts(text=text)])
    parsed = PiiData.parse(finding.data)
    assert [(s.kind, text[s.start : s.end]) for s in parsed.spans] == [("email", "ada@example.com")]
    assert parsed.redacted == "mail me at [email]"


def test_labels_data_reads_back_as_written() -> None:
    classes = ClassifierData({"negative": 0.8, "neutral": 0.15, "positive": 0.05})
    assert ClassifierData.parse(classes.to_data(), analyzer="sentiment") == classes
    cues = IntentData(("charged twice",))
    assert IntentData.parse(cues.to_data()) == cues


def test_rows_without_data_and_with_unknown_keys_read_as_empty() -> None:
    assert SignalsData.parse({}) == SignalsData()
    assert SignalsData.parse(None) == SignalsData()
    assert SignalsData.parse({"evidence": ["switching airlines"]}).names == frozenset()


def test_a_malformed_finding_says_which_mention_and_what_is_wrong() -> None:
    stored = {"signals": [{"name": "safety", "evidence": [{"start": "twelve", "end": 20}]}]}
    with pytest.raises(FindingDataError) as found:
        SignalsData.parse(stored, where="mention 12")
    assert str(found.value).startswith(
        "signals finding of mention 12 is malformed: signals.0.evidence.0.start: Input should be a valid integer"
    )
    with pytest.raises(FindingDataError, match=r"pii finding is malformed: spans.0.kind: Field required"):
        PiiData.parse({"spans": [{"start": 1, "end": 2}]})
