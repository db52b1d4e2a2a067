from datetime import UTC, datetime, timedelta

from ombuds.cases.values import Priority
from ombuds.routing import sla
from ombuds.routing.rules import CaseFacts, Rule, route


def test_angry_high_reach_complaint_jumps_the_queue() -> None:
    angry_journalist = CaseFacts(channel="x", sentiment="negative", followers=251_000)
    angry_regular = CaseFacts(channel="x", sentiment="negative", followers=300)
    assert route(angry_journalist).priority is Priority.URGENT
    assert route(angry_regular).priority is Priority.NORMAL


def test_private_high_reach_complaint_is_not_a_public_fire() -> None:
    facts = CaseFacts(channel="x-dm", sentiment="negative", followers=251_000, is_public=False)
    assert route(facts).priority is not Priority.URGENT


def test_safety_signal_is_urgent_whatever_the_sentiment() -> None:
    facts = CaseFacts(channel="email", sentiment="neutral", signals=frozenset({"safety"}))
    decision = route(facts)
    assert decision.priority is Priority.URGENT
    assert "signal: safety" in decision.reasons


def test_churn_threat_raises_a_complaint() -> None:
    facts = CaseFacts(channel="x", sentiment="negative", signals=frozenset({"churn_threat"}))
    assert route(facts).priority is Priority.HIGH


def test_praise_waits_behind_complaints() -> None:
    assert route(CaseFacts(channel="x", sentiment="positive", intent="praise")).priority is Priority.LOW


def test_first_matching_rule_picks_the_team_and_never_lowers_urgency() -> None:
    rules = [
        Rule(name="bags", team="baggage", categories=frozenset({"lost_luggage"}), priority=Priority.LOW),
        Rule(name="catch-all", team="care"),
    ]
    lost_bag = CaseFacts(channel="x", sentiment="negative", category="lost_luggage", followers=90_000)
    decision = route(lost_bag, rules=rules)
    assert decision.team == "baggage"
    assert decision.priority is Priority.URGENT
    assert route(CaseFacts(channel="x", category="billing"), rules=rules).team == "care"


def test_sla_deadlines_follow_priority() -> None:
    opened = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    urgent = sla.first_response_due(sla.DEFAULT_POLICY, priority=Priority.URGENT, opened_at=opened)
    low = sla.first_response_due(sla.DEFAULT_POLICY, priority=Priority.LOW, opened_at=opened)
    assert urgent == opened + timedelta(minutes=30)
    assert low > urgent
    assert sla.resolution_due(sla.DEFAULT_POLICY, priority=Priority.URGENT, opened_at=opened) > urgent


def test_a_rule_s_category_matches_however_analysis_spells_it() -> None:
    rule = Rule(name="bags", team="baggage", categories=frozenset({"lost luggage"}))
    for spelt in ("Lost Luggage", "lost_luggage", "LOST-LUGGAGE", " lost  luggage "):
        assert rule.matches(CaseFacts(channel="x", category=spelt)), spelt
    assert not rule.matches(CaseFacts(channel="x", category="Damaged Luggage"))
    assert not rule.matches(CaseFacts(channel="x", category=None))
    matched, reasons = Rule(name="bags", categories=frozenset({"Lost Luggage"})).explain(
        CaseFacts(channel="x", category="lost_luggage")
    )
    assert matched, reasons
