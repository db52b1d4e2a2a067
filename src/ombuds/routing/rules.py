"""Routing: which team gets a case and how urgent it is. Pure: plain facts in, a decision out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ombuds.cases.values import Priority

HIGH_REACH_FOLLOWERS = 50_000
NOTABLE_REACH_FOLLOWERS = 5_000
URGENT_SIGNALS = frozenset({"safety", "legal_threat"})
ESCALATING_SIGNALS = frozenset({"churn_threat", "executive_escalation", "media_author", "repeat_contact"})


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What routing may look at: the case's latest inbound mention and its enrichment."""

    channel: str
    sentiment: str | None = None
    intent: str | None = None
    category: str | None = None
    signals: frozenset[str] = frozenset()
    followers: int | None = None
    reach_tier: str | None = None
    is_public: bool = True


@dataclass(frozen=True, slots=True)
class Rule:
    """When every given condition holds, send the case to ``team`` and raise it to at least ``priority``."""

    name: str
    team: str | None = None
    priority: Priority | None = None
    categories: frozenset[str] = frozenset()
    signals: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    def matches(self, facts: CaseFacts) -> bool:
        if self.categories and facts.category not in self.categories:
            return False
        if self.signals and not (self.signals & facts.signals):
            return False
        return not (self.channels and facts.channel not in self.channels)


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    priority: Priority
    team: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def is_high_reach(facts: CaseFacts) -> bool:
    if facts.reach_tier in {"high", "very_high", "celebrity"}:
        return True
    return (facts.followers or 0) >= HIGH_REACH_FOLLOWERS


def base_priority(facts: CaseFacts) -> tuple[Priority, tuple[str, ...]]:
    """Urgency from sentiment, reach and signals: an angry high-reach complaint comes first."""
    negative = facts.sentiment == "negative"
    if facts.signals & URGENT_SIGNALS:
        return Priority.URGENT, tuple(f"signal: {s}" for s in sorted(facts.signals & URGENT_SIGNALS))
    if negative and facts.is_public and is_high_reach(facts):
        return Priority.URGENT, ("angry and high reach",)
    if negative and facts.signals & ESCALATING_SIGNALS:
        return Priority.HIGH, tuple(f"signal: {s}" for s in sorted(facts.signals & ESCALATING_SIGNALS))
    if negative and (facts.followers or 0) >= NOTABLE_REACH_FOLLOWERS:
        return Priority.HIGH, ("angry with notable reach",)
    if negative or facts.intent in {"complaint", "question"}:
        return Priority.NORMAL, ("complaint or question",)
    return Priority.LOW, ("no complaint",)


def route(facts: CaseFacts, *, rules: Sequence[Rule] = ()) -> RoutingDecision:
    """The first matching rule picks the team; rules may only raise urgency, never lower it."""
    priority, reasons = base_priority(facts)
    for rule in rules:
        if rule.matches(facts):
            if rule.priority is not None and rule.priority < priority:
                priority = rule.priority
            return RoutingDecision(priority, rule.team, (*reasons, f"rule: {rule.name}"))
    return RoutingDecision(priority, None, reasons)
