"""The tester reads a sample message's findings the way routing reads a new case."""

from __future__ import annotations

from ombuds.admin.routing.tester import facts_from_findings
from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.engine import load_default_engine
from ombuds.routing.rules import base_priority


def test_findings_become_the_facts_routing_reads() -> None:
    findings = [
        Finding("category", "v1", label="baggage", score=0.9),
        Finding("intent", "v1", label="complaint", score=0.8),
        Finding(
            "signals",
            "v1",
            data={
                "signals": [{"name": "legal_threat", "evidence": [{"start": 0, "end": 6, "text": "lawyer"}]}]
            },
        ),
        Finding("reach", "v1", label="high"),
    ]
    facts = facts_from_findings(findings, channel="twitter", followers=80_000)
    assert (facts.category, facts.intent, facts.reach_tier, facts.followers) == (
        "baggage",
        "complaint",
        "high",
        80_000,
    )
    assert facts.channel == "twitter"
    assert facts.sentiment is None, "no sentiment finding: unknown, not neutral"


def test_a_threat_read_by_the_shipped_engine_makes_the_sample_urgent() -> None:
    sample = "I am calling my lawyer about this refund, see you in court"
    findings = load_default_engine().analyze([MentionFacts(text=sample, channel="email")])[0]
    facts = facts_from_findings(findings, channel="email", followers=None)
    assert "legal_threat" in facts.signals
    assert base_priority(facts)[1] == ("signal: legal_threat",)
