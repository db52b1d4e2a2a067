"""Routing: decide team, person, priority and SLA deadlines for the cases new mentions touch; the writer of rules.

The decision is routing's; ``cases.actions.apply_routing`` writes it to the case.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.accounts.queries import get_default_team
from ombuds.cases.actions import apply_routing
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.enrichment.analyzers.signals import SIGNAL_NAMES
from ombuds.errors import InvalidInput
from ombuds.event_payloads import CaseRouted, EventKind, parse_payload
from ombuds.events import Event, events_together, record_event
from ombuds.mentions.models import Direction, Mention
from ombuds.routing import sla
from ombuds.routing.assignment_actions import Assigner, owner_is_away, routed_owner
from ombuds.routing.case_facts import facts_for_case as facts_for_case  # the old home of the name
from ombuds.routing.case_facts import facts_for_mentions
from ombuds.routing.models import RoutingRule
from ombuds.routing.queries import get_sla_policy, list_rules
from ombuds.routing.rules import Rule, route


def _routed_before(session: Session, case_ids: set[int]) -> set[int]:
    """The mentions these cases were already routed for: a rerun must not route them again."""
    if not case_ids:
        return set()
    rows = session.execute(
        select(Event.id, Event.data).where(
            Event.subject_type == "case",
            Event.subject_id.in_(case_ids),
            Event.kind == EventKind.CASE_ROUTED,
        )
    )
    routed = set()
    for event_id, data in rows:
        payload = parse_payload(EventKind.CASE_ROUTED, data, where=f"event {event_id}")
        if isinstance(payload, CaseRouted) and payload.mention_id is not None:
            routed.add(payload.mention_id)
    return routed


def route_mentions(session: Session, *, mentions: Sequence[Mention]) -> None:
    """Route the case of each inbound mention by its brand's rules; ``apply_routing`` writes it.

    The team's policy gives the case to a member (``assignment_actions.routed_owner``); an owner
    who is in the team keeps it. Deadlines follow the brand's SLA policy (business hours, channel
    targets). Urgency only rises automatically; lowering it is a person's decision. Safe to repeat: a
    mention the case was routed for before is not routed again, so a person's later team change
    or priority stands.
    """
    rules: dict[int, list[Rule]] = {}
    policies: dict[int, sla.SlaPolicy] = {}
    default_teams: dict[int, Team | None] = {}
    # a slug names a team within its brand: an agency's brands may each have a "billing"
    teams = {
        (t.brand_id, t.slug): t
        for t in session.scalars(
            select(Team).where(Team.brand_id.in_({m.brand_id for m in mentions}), Team.archived_at.is_(None))
        )
    }
    assigner = Assigner(session)
    routed = _routed_before(session, {m.case_id for m in mentions if m.case_id is not None})
    todo = [
        (m, m.case_id)
        for m in mentions
        if m.direction is Direction.INBOUND and m.case_id is not None and m.id not in routed
    ]
    # Everything the decisions read is read here, for the whole batch; the loop below only writes
    # cases, so it need not flush before each of its few remaining reads.
    cases = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_({i for _, i in todo})))}
    facts = facts_for_mentions(session, mentions=[m for m, _ in todo])
    with session.no_autoflush, events_together(session):
        for mention, case_id in todo:
            case = cases[case_id]
            if case.brand_id not in rules:
                rules[case.brand_id] = list_rules(session, case.brand_id)
                policies[case.brand_id] = get_sla_policy(session, case.brand_id)
                default_teams[case.brand_id] = get_default_team(session, case.brand_id)
            decision = route(facts[mention.id], rules=rules[case.brand_id])
            is_first = case.status is CaseStatus.NEW and case.team_id is None
            priority = decision.priority if is_first else Priority(min(case.priority, decision.priority))
            team = teams.get((case.brand_id, decision.team)) if decision.team else None
            if team is None and case.team_id is None:
                team = default_teams[case.brand_id]
            owner_away = owner_is_away(session, case=case)
            if not is_first and priority == case.priority and team is None and not owner_away:
                continue
            staying = session.get(Team, case.team_id) if case.team_id is not None else None
            owner = routed_owner(session, case=case, team=team or staying, assigner=assigner)
            apply_routing(
                session,
                case=case,
                mention=mention,
                priority=priority,
                team_id=team.id if team is not None else case.team_id,
                first_response_due_at=sla.first_response_due(
                    policies[case.brand_id], priority=priority, opened_at=case.opened_at, channel=case.channel
                ),
                resolve_due_at=sla.resolution_due(
                    policies[case.brand_id], priority=priority, opened_at=case.opened_at, channel=case.channel
                ),
                reasons=decision.reasons,
                assignee_id=owner.user_id,
                assignment_reason=owner.reason,
                returned_to_queue=owner_away,
            )
    session.flush()


def _last_routing(session: Session, case_ids: Collection[int]) -> dict[int, list[CaseRouted]]:
    """Each case's routing decisions, oldest first."""
    decided: dict[int, list[CaseRouted]] = {}
    rows = session.execute(
        select(Event.id, Event.subject_id, Event.data)
        .where(
            Event.subject_type == "case", Event.subject_id.in_(case_ids), Event.kind == EventKind.CASE_ROUTED
        )
        .order_by(Event.id)
    )
    for event_id, case_id, data in rows:
        payload = parse_payload(EventKind.CASE_ROUTED, data, where=f"event {event_id}")
        if isinstance(payload, CaseRouted):
            decided.setdefault(case_id, []).append(payload)
    return decided


def route_again(session: Session, *, case_ids: Collection[int], reason: str, at: datetime) -> list[int]:
    """Route open cases again after their messages' analysis changed (the accurate model re-read
    them); ``apply_routing`` writes what changed. Returns the cases whose routing changed.

    The decisions are those ``route_mentions`` would have made with the analysis the messages
    carry now: each routed message's decision in turn, the first setting the priority, later ones
    only raising it, the last rule naming a team choosing it. As the desk's correction of its own
    reading, this may also lower a priority the earlier reading raised. A case a person (or an SLA
    escalation) moved since routing last decided it keeps what they chose, and so does a case
    routing never decided (the pipeline routes it). Safe to repeat: the same analysis again
    decides the same, and nothing is written. The change is dated ``at`` (when it was re-read).
    """
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.id.in_(case_ids), Case.status.not_in((CaseStatus.RESOLVED, CaseStatus.CLOSED)))
            .order_by(Case.id)
        )
    )
    decided = _last_routing(session, [case.id for case in cases])
    changed: list[int] = []
    assigner = Assigner(session)
    for case in cases:
        history = decided.get(case.id)
        if not history or (history[-1].priority, history[-1].team_id) != (case.priority, case.team_id):
            continue
        routed_ids = {payload.mention_id for payload in history if payload.mention_id is not None}
        mentions = list(
            session.scalars(
                select(Mention)
                .where(Mention.id.in_(routed_ids), Mention.case_id == case.id)
                .order_by(Mention.created_at, Mention.id)
            )
        )
        if not mentions:
            continue
        facts = facts_for_mentions(session, mentions=mentions)
        rules = list_rules(session, case.brand_id)
        teams = {
            t.slug: t
            for t in session.scalars(
                select(Team).where(Team.brand_id == case.brand_id, Team.archived_at.is_(None))
            )
        }
        priority: Priority | None = None
        team: Team | None = None
        reasons: tuple[str, ...] = ()
        for mention in mentions:
            decision = route(facts[mention.id], rules=rules)
            priority = decision.priority if priority is None else Priority(min(priority, decision.priority))
            team = teams.get(decision.team, team) if decision.team else team
            reasons = decision.reasons
        assert priority is not None  # at least one mention was decided
        if team is None:
            team = get_default_team(session, case.brand_id)
        team_id = team.id if team is not None else case.team_id
        if (priority, team_id) == (case.priority, case.team_id):
            continue
        policy = get_sla_policy(session, case.brand_id)
        owner = routed_owner(session, case=case, team=team, assigner=assigner)
        apply_routing(
            session,
            case=case,
            mention=mentions[-1],
            priority=priority,
            team_id=team_id,
            first_response_due_at=sla.first_response_due(
                policy, priority=priority, opened_at=case.opened_at, channel=case.channel
            ),
            resolve_due_at=sla.resolution_due(
                policy, priority=priority, opened_at=case.opened_at, channel=case.channel
            ),
            reasons=(*reasons, reason),
            assignee_id=owner.user_id,
            assignment_reason=owner.reason,
            at=at,
        )
        changed.append(case.id)
    session.flush()
    return changed


def create_rule(
    session: Session,
    *,
    brand_id: int,
    name: str,
    team: Team | None = None,
    priority: Priority | None = None,
    categories: Sequence[str] = (),
    signals: Sequence[str] = (),
    channels: Sequence[str] = (),
    position: int = 100,
    actor_id: int | None = None,
) -> RoutingRule:
    """Add a rule; rules are tried by position, the first match picks the team."""
    _ensure_known_signals(signals)
    rule = RoutingRule(
        brand_id=brand_id,
        name=name,
        team_id=team.id if team else None,
        priority=int(priority) if priority else None,
        categories=list(categories),
        signals=list(signals),
        channels=list(channels),
        position=position,
    )
    session.add(rule)
    session.flush()
    record_event(
        session,
        brand_id=brand_id,
        kind=EventKind.ROUTING_RULE_CREATED,
        subject_type="routing_rule",
        subject_id=rule.id,
        actor_id=actor_id,
        data={"name": name},
    )
    return rule


def _ensure_known_signals(signals: Sequence[str]) -> None:
    """A signal analysis never gives would leave the rule silently never firing."""
    unknown = sorted(set(signals) - set(SIGNAL_NAMES))
    if unknown:
        raise InvalidInput(
            f"signals: {', '.join(unknown)} is no signal analysis gives; the signals are {', '.join(SIGNAL_NAMES)}"
        )


def update_rule(
    session: Session,
    *,
    rule: RoutingRule,
    name: str,
    team: Team | None,
    priority: Priority | None,
    categories: Sequence[str],
    signals: Sequence[str],
    channels: Sequence[str],
    is_active: bool,
    actor_id: int | None = None,
) -> bool:
    """Rewrite a rule's conditions and actions; False when nothing changed."""
    if team is not None and team.brand_id != rule.brand_id:
        raise ValueError("a rule routes to a team of its own brand")
    _ensure_known_signals(signals)
    before = _rule_state(rule)
    rule.name = name
    rule.team_id = team.id if team else None
    rule.priority = int(priority) if priority else None
    rule.categories = sorted(set(categories))
    rule.signals = sorted(set(signals))
    rule.channels = sorted(set(channels))
    rule.is_active = is_active
    after = _rule_state(rule)
    if after == before:
        return False
    record_event(
        session,
        brand_id=rule.brand_id,
        kind=EventKind.ROUTING_RULE_CHANGED,
        subject_type="routing_rule",
        subject_id=rule.id,
        actor_id=actor_id,
        data={"from": before, "to": after},
    )
    return True


def _rule_state(rule: RoutingRule) -> dict[str, object]:
    return {
        "name": rule.name,
        "team_id": rule.team_id,
        "priority": rule.priority,
        "categories": list(rule.categories),
        "signals": list(rule.signals),
        "channels": list(rule.channels),
        "is_active": rule.is_active,
    }


def move_rule(session: Session, *, rule: RoutingRule, steps: int, actor_id: int | None = None) -> bool:
    """Move a rule earlier (negative steps) or later in the order rules are tried.

    Positions are renumbered 10, 20, 30… so the order shown is the order tried, ties included.
    False when the rule is already first or last.
    """
    ordered = list(
        session.scalars(
            select(RoutingRule)
            .where(RoutingRule.brand_id == rule.brand_id)
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )
    index = ordered.index(rule)
    target = max(0, min(len(ordered) - 1, index + steps))
    if target == index:
        return False
    ordered.insert(target, ordered.pop(index))
    for number, each in enumerate(ordered, start=1):
        each.position = number * 10
    record_event(
        session,
        brand_id=rule.brand_id,
        kind=EventKind.ROUTING_RULES_REORDERED,
        subject_type="routing_rule",
        subject_id=rule.id,
        actor_id=actor_id,
        data={"order": [each.name for each in ordered]},
    )
    return True
