"""Reads of routing configuration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.cases.models import Priority
from ombuds.routing.models import RoutingRule
from ombuds.routing.rules import Rule


def list_rules(session: Session, brand_id: int) -> list[Rule]:
    """The brand's active rules as pure values, in the order they are tried."""
    rows = session.execute(
        select(RoutingRule, Team.slug)
        .outerjoin(Team, Team.id == RoutingRule.team_id)
        .where(RoutingRule.brand_id == brand_id, RoutingRule.is_active.is_(True))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return [
        Rule(
            name=row.name,
            team=team_slug,
            priority=Priority(row.priority) if row.priority else None,
            categories=frozenset(row.categories),
            signals=frozenset(row.signals),
            channels=frozenset(row.channels),
        )
        for row, team_slug in rows
    ]
