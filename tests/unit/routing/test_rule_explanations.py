"""The rule tester's explanation: each rule's verdict in words, and which one decides."""

from __future__ import annotations

from ombuds.cases.values import Priority
from ombuds.routing.rules import CaseFacts, Rule, explain_route

LEGAL = Rule(name="Legal", team="legal", priority=Priority.URGENT, signals=frozenset({"legal_threat"}))
EMAIL = Rule(name="Email", team="care", channels=frozenset({"email"}))
BAGS = Rule(name="Bags", team="baggage", categories=frozenset({"baggage"}))
CATCH_ALL = Rule(name="Everything", team="care")


def test_the_first_matching_rule_decides_and_later_matches_are_named_as_such() -> None:
    facts = CaseFacts(channel="email", category="refund", signals=frozenset({"legal_threat", "billing"}))
    decision, checks = explain_route(facts, rules=[BAGS, LEGAL, EMAIL])
    assert decision.team == "legal"
    assert decision.priority is Priority.URGENT
    assert [(c.rule.name, c.matched, c.decides) for c in checks] == [
        ("Bags", False, False),
        ("Legal", True, True),
        ("Email", True, False),
    ]
    assert checks[0].reasons == ("✗ category refund; needs one of baggage",)
    assert checks[1].reasons == ("✓ signals billing, legal_threat; needs any of legal_threat",)


def test_a_rule_without_conditions_says_it_matches_every_case() -> None:
    decision, checks = explain_route(CaseFacts(channel="twitter"), rules=[CATCH_ALL])
    assert decision.team == "care"
    assert checks[0].reasons == ("no conditions: matches every case",)


def test_the_explanation_agrees_with_matching_for_every_rule() -> None:
    samples = [
        CaseFacts(channel=channel, category=category, signals=signals)
        for channel in ("email", "twitter")
        for category in (None, "baggage", "refund")
        for signals in (frozenset(), frozenset({"legal_threat"}))
    ]
    for facts in samples:
        for rule in (LEGAL, EMAIL, BAGS, CATCH_ALL):
            assert rule.explain(facts)[0] == rule.matches(facts), (rule.name, facts)


def test_unknown_facts_read_as_unknown_not_as_a_blank() -> None:
    _, checks = explain_route(CaseFacts(channel="chat"), rules=[BAGS, LEGAL])
    assert checks[0].reasons == ("✗ category unknown; needs one of baggage",)
    assert checks[1].reasons == ("✗ signals none; needs any of legal_threat",)
