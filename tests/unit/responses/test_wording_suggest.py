"""Which approved words fit a case and in what order; templates filled for the channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ombuds.responses.wording.suggest import (
    Candidate,
    CaseTopic,
    fill_template,
    is_valid,
    matched_terms,
    rank,
    template_wording,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_category_matches_ignoring_case_and_spacing_and_a_keyword_matches_whole_words() -> None:
    topic = CaseTopic.of(["Lost_Baggage", None], ["My bag never came off the belt in Oslo"])
    assert matched_terms(topic, categories=["lost baggage", "refund"], keywords=[]) == ["lost baggage"]
    assert matched_terms(topic, categories=[], keywords=["bag", "oslo", "belt in oslo"]) == [
        "bag",
        "oslo",
        "belt in oslo",
    ]
    # "bag" is not found inside "baggage", nor "slo" inside "Oslo"
    assert matched_terms(CaseTopic.of([], ["baggage"]), categories=[], keywords=["bag", "slo"]) == []
    assert matched_terms(topic, categories=[" "], keywords=[" "]) == []


def test_validity_runs_from_the_start_until_just_before_the_end() -> None:
    assert is_valid(NOW, NOW, None)
    assert not is_valid(NOW, NOW + timedelta(seconds=1), None)
    assert is_valid(NOW, None, NOW + timedelta(seconds=1))
    assert not is_valid(NOW, None, NOW)


def test_the_active_incidents_statement_comes_first_then_other_incidents_then_the_best_topic_match() -> None:
    older = NOW - timedelta(days=1)
    ranked = rank(
        [
            Candidate(kind="talking_point", id=1, matched=("refund",), updated_at=NOW),
            Candidate(kind="talking_point", id=2, incident_id=9, incident_active=False, updated_at=NOW),
            Candidate(kind="talking_point", id=3, matched=("refund", "oslo"), updated_at=older),
            Candidate(kind="talking_point", id=4, incident_id=8, incident_active=True, updated_at=older),
        ]
    )
    assert [c.id for c in ranked] == [4, 2, 3, 1]


def test_templates_with_the_channels_own_wording_then_the_most_used_come_first() -> None:
    ranked = rank(
        [
            Candidate(kind="template", id=1, usage_count=50),
            Candidate(kind="template", id=2, usage_count=3, has_channel_variant=True),
            Candidate(kind="template", id=3, usage_count=80),
            Candidate(kind="template", id=4, matched=("lounge",)),
        ]
    )
    assert [c.id for c in ranked] == [4, 2, 3, 1]


def test_a_template_takes_the_channels_variant_and_fills_its_variables() -> None:
    body, variants = (
        "Dear {customer_name}, about {case_ref}: {agent_name}",
        {"x": "Hi {customer_name}! {case_ref}"},
    )
    assert template_wording(body, variants, "X ") == ("Hi {customer_name}! {case_ref}", True)
    assert template_wording(body, variants, "email") == (body, False)
    filled = fill_template(body, customer_name="Eve", case_ref="#12", agent_name=None)
    assert filled == "Dear Eve, about #12: the team"
    # other braces are the author's own text and stay as written
    assert (
        fill_template("{order} {customer_name}", customer_name=None, case_ref="#1", agent_name="Ada")
        == "{order} there"
    )
