"""Reads of routing configuration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.cases.models import Priority
from ombuds.routing.models import RoutingRule, SlaPolicySetting
from ombuds.routing.rules import Rule
from ombuds.routing.sla import SlaPolicy
from ombuds.routing.sla_config import DEFAULT_CONFIG, Escalation, SlaConfig, policy_from_config


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


def get_sla_setting(session: Session, brand_id: int) -> SlaPolicySetting | None:
    return session.scalar(select(SlaPolicySetting).where(SlaPolicySetting.brand_id == brand_id))


def brand_timezone(session: Session, brand_id: int) -> str:
    """The brand's time zone: its SLA policy's (business hours), UTC without one. The digest's week,
    a task's due day and the pages that show them read it here."""
    found = session.scalar(select(SlaPolicySetting.timezone).where(SlaPolicySetting.brand_id == brand_id))
    return found or "UTC"


def get_sla_config(session: Session, brand_id: int) -> tuple[SlaConfig, Escalation]:
    """The brand's policy as written, or the default (today's targets, round the clock)."""
    row = get_sla_setting(session, brand_id)
    if row is None:
        return DEFAULT_CONFIG, Escalation()
    config = SlaConfig(
        timezone=row.timezone,
        hours=row.hours,
        holidays=row.holidays,
        targets=row.targets,
        channel_targets=row.channel_targets,
        near_breach_percent=row.near_breach_percent,
    )
    escalation = Escalation(
        raise_priority=row.raise_priority_on_breach,
        notify_managers=row.notify_managers_on_breach,
        move_to_team_id=row.move_to_team_id,
    )
    return config, escalation


def get_sla_policy(session: Session, brand_id: int) -> SlaPolicy:
    """The brand's policy for the arithmetic; the stored one was checked when it was written."""
    return policy_from_config(get_sla_config(session, brand_id)[0], is_stored=True)
