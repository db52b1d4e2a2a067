"""Routing: which team gets a case and how urgent it is. Pure: plain facts in, a decision out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ombuds.cases.values import Priority
from ombuds.mentions.values import names_channel

HIGH_REACH_FOLLOWERS = 50_000
NOTABLE_REACH_FOLLOWERS = 5_000
URGENT_SIGNALS = frozenset({"safety", "legal_threat"})
ESCALATING_SIGNALS = frozenset({"churn_threat", "executive_escalation", "media_author", "repeat_contact"})


#: Below this probability a negative reading is a guess: it does not make a case urgent by reach alone.
SURE_NEGATIVE = 0.6
#: A customer who has written this many times without an answer and is still unhappy is chasing it.
CHASING_MESSAGES = 2


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What routing may look at: the case as its customer's messages so far tell it.

    ``sentiment`` is the case's mood over the customer's messages (``enrichment.case_mood``),
    ``sentiment_score`` its probability (None: certain, as a person's label is);
    ``unanswered_messages`` how many times the customer wrote since the brand last answered.
    Never the brand's own replies.
    """

    channel: str
    sentiment: str | None = None
    intent: str | None = None
    category: str | None = None
    signals: frozenset[str] = frozenset()
    followers: int | None = None
    reach_tier: str | None = None
    is_public: bool = True
    sentiment_score: float | None = None
    unanswered_messages: int = 1


@dataclass(frozen=True, slots=True)
class Rule:
    """When every given condition holds, send the case to ``team`` and raise it to at least ``priority``."""

    name: str
    team: str | None = None
    priority: Priority | None = None
    categories: frozenset[str] = frozenset()
    signals: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # a rule written "lost luggage" is for what analysis calls "Lost Luggage" ("lost_luggage")
        object.__setattr__(self, "categories", frozenset(category_key(c) for c in self.categories))

    def explain(self, facts: CaseFacts) -> tuple[bool, tuple[str, ...]]:
        """Whether the rule matches, and each condition's verdict in words."""
        checks: list[tuple[bool, str]] = []
        if self.categories:
            checks.append(
                (
                    category_key(facts.category) in self.categories,
                    _condition("category", facts.category, self.categories),
                )
            )
        if self.signals:
            seen = ", ".join(sorted(facts.signals)) or "none"
            checks.append(
                (
                    bool(self.signals & facts.signals),
                    f"signals {seen}; needs any of {', '.join(sorted(self.signals))}",
                )
            )
        if self.channels:
            checks.append(
                (
                    names_channel(self.channels, facts.channel),
                    _condition("channel", facts.channel, self.channels),
                )
            )
        if not checks:
            return True, ("no conditions: matches every case",)
        return all(ok for ok, _ in checks), tuple(("✓ " if ok else "✗ ") + why for ok, why in checks)

    def matches(self, facts: CaseFacts) -> bool:
        if self.categories and category_key(facts.category) not in self.categories:
            return False
        if self.signals and not (self.signals & facts.signals):
            return False
        return not (self.channels and not names_channel(self.channels, facts.channel))


def category_key(label: str | None) -> str:
    """A category as rules compare it: in any case, "_" and "-" as spaces ("Lost Luggage" is "lost luggage")."""
    return " ".join((label or "").replace("_", " ").replace("-", " ").lower().split())


def _condition(name: str, value: str | None, wanted: frozenset[str]) -> str:
    return f"{name} {value or 'unknown'}; needs one of {', '.join(sorted(wanted))}"


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule tried on a sample: did it match, why, and is it the one that decides."""

    rule: Rule
    matched: bool
    reasons: tuple[str, ...]
    decides: bool


def explain_route(facts: CaseFacts, *, rules: Sequence[Rule]) -> tuple[RoutingDecision, list[RuleCheck]]:
    """``route``'s decision and every rule's verdict, for a tester that shows why."""
    decision = route(facts, rules=rules)
    checks = []
    decided = False
    for rule in rules:
        matched, reasons = rule.explain(facts)
        checks.append(RuleCheck(rule, matched, reasons, decides=matched and not decided))
        decided = decided or matched
    return decision, checks


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
    """Urgency from sentiment, reach and signals: an angry high-reach complaint comes first.

    Reach alone makes nothing urgent: it takes a sure negative reading of a case that is not
    praise ("found my lost passport. Hero" has a negative word and is thanks). A customer still
    unhappy who wrote again before anyone answered is high, whoever they are.
    """
    negative = facts.sentiment == "negative"
    sure = negative and (facts.sentiment_score is None or facts.sentiment_score >= SURE_NEGATIVE)
    complaint = facts.intent != "praise"
    if facts.signals & URGENT_SIGNALS:
        return Priority.URGENT, tuple(f"signal: {s}" for s in sorted(facts.signals & URGENT_SIGNALS))
    if sure and complaint and facts.is_public and is_high_reach(facts):
        return Priority.URGENT, ("angry and high reach",)
    if negative and facts.signals & ESCALATING_SIGNALS:
        return Priority.HIGH, tuple(f"signal: {s}" for s in sorted(facts.signals & ESCALATING_SIGNALS))
    if sure and complaint and facts.unanswered_messages >= CHASING_MESSAGES:
        return Priority.HIGH, (f"still unhappy, wrote {facts.unanswered_messages} times without an answer",)
    if sure and complaint and facts.is_public and (facts.followers or 0) >= NOTABLE_REACH_FOLLOWERS:
        return Priority.HIGH, ("angry with notable reach",)
    if (negative and (sure or complaint)) or facts.intent in {"complaint", "question"}:
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
