"""The writer of routing decisions: team, priority and SLA deadlines of the cases new mentions touch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.accounts.queries import get_default_team
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.enrichment.models import Enrichment
from ombuds.events import record_event
from ombuds.mentions.models import Direction, Mention, Stage
from ombuds.routing import sla
from ombuds.routing.models import RoutingRule
from ombuds.routing.queries import list_rules
from ombuds.routing.rules import CaseFacts, Rule, route


def signal_names(data: dict[str, Any]) -> frozenset[str]:
    """Signal names from a signals enrichment, whichever list shape the analyzer stored."""
    found = data.get("signals", [])
    names = set()
    for item in found if isinstance(found, Iterable) else []:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict):
            name = item.get("name") or item.get("signal") or item.get("kind")
            if isinstance(name, str):
                names.add(name)
    return frozenset(names)


def facts_for_mention(session: Session, *, mention: Mention) -> CaseFacts:
    rows = {
        e.analyzer: e for e in session.scalars(select(Enrichment).where(Enrichment.mention_id == mention.id))
    }

    def label(analyzer: str) -> str | None:
        row = rows.get(analyzer)
        return row.label if row else None

    signals = rows.get("signals")
    return CaseFacts(
        channel=mention.channel,
        sentiment=label("sentiment"),
        intent=label("intent"),
        category=label("category"),
        signals=signal_names(signals.data) if signals else frozenset(),
        followers=mention.author_followers,
        reach_tier=label("reach"),
        is_public=mention.is_public,
    )


def route_mentions(session: Session, *, mentions: Sequence[Mention]) -> None:
    """Route the case of each inbound mention by its brand's rules and mark every mention routed.

    Urgency only rises automatically; lowering it is a person's decision.
    """
    rules: dict[int, list[Rule]] = {}
    teams = {
        t.slug: t
        for t in session.scalars(select(Team).where(Team.brand_id.in_({m.brand_id for m in mentions})))
    }
    for mention in mentions:
        mention.stage = Stage.ROUTED
        if mention.direction is not Direction.INBOUND or mention.case_id is None:
            continue
        case = session.get(Case, mention.case_id)
        assert case is not None
        if case.brand_id not in rules:
            rules[case.brand_id] = list_rules(session, case.brand_id)
        decision = route(facts_for_mention(session, mention=mention), rules=rules[case.brand_id])
        is_first = case.status is CaseStatus.NEW and case.team_id is None
        priority = decision.priority if is_first else Priority(min(case.priority, decision.priority))
        team = teams.get(decision.team) if decision.team else None
        if team is None and case.team_id is None:
            team = get_default_team(session, case.brand_id)
        if not is_first and priority == case.priority and team is None:
            continue
        case.priority = priority
        if team is not None:
            case.team_id = team.id
        case.first_response_due_at = sla.first_response_due(
            sla.DEFAULT_POLICY, priority=priority, opened_at=case.opened_at
        )
        case.resolve_due_at = sla.resolution_due(
            sla.DEFAULT_POLICY, priority=priority, opened_at=case.opened_at
        )
        record_event(
            session,
            brand_id=case.brand_id,
            kind="case.routed",
            subject_type="case",
            subject_id=case.id,
            data={
                "priority": int(priority),
                "team_id": case.team_id,
                "reasons": list(decision.reasons),
                "mention_id": mention.id,
            },
            occurred_at=mention.created_at,
        )
    session.flush()


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
        kind="routing_rule.created",
        subject_type="routing_rule",
        subject_id=rule.id,
        actor_id=actor_id,
        data={"name": name},
    )
    return rule
