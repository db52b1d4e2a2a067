"""The rule tester's reading of a sample message: analysis findings → routing's ``CaseFacts``.

Pure: the same reading the pipeline makes of a case's first message (``routing.actions.facts_for_case``),
on findings the page got from the brand's engine.
"""

from __future__ import annotations

from collections.abc import Sequence

from ombuds.enrichment.base import Finding
from ombuds.enrichment.case_mood import MessageMood, case_mood
from ombuds.enrichment.findings import SignalsData
from ombuds.routing.rules import CaseFacts


def facts_from_findings(
    findings: Sequence[Finding], *, channel: str, followers: int | None, is_public: bool = True
) -> CaseFacts:
    """What routing would see for a new case opened by this one message."""
    found = {finding.analyzer: finding for finding in findings}
    sentiment = found.get("sentiment")
    mood = (
        case_mood(
            [MessageMood.from_finding(sentiment.label, sentiment.score, sentiment.data, where="sample")]
        )
        if sentiment is not None
        else None
    )
    signals = (
        SignalsData.parse(found["signals"].data, where="sample").names if "signals" in found else frozenset()
    )
    reach = found.get("reach")
    return CaseFacts(
        channel=channel,
        sentiment=mood.label if mood else None,
        sentiment_score=mood.score if mood else None,
        intent=found["intent"].label if "intent" in found else None,
        category=found["category"].label if "category" in found else None,
        signals=frozenset(signals),
        followers=followers,
        reach_tier=reach.label if reach is not None else None,
        is_public=is_public,
    )
