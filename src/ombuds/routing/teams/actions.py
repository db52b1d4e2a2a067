"""Archiving a team: the writer that needs both the team (accounts) and its cases (cases)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases.models import Case
from ombuds.cases.values import OPEN_STATUSES
from ombuds.errors import InvalidInput
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.routing.models import RoutingRule


def archive_team(session: Session, *, team: Team, at: datetime, actor: User | None = None) -> bool:
    """Retire a team: it keeps its history, gets no new cases and leaves the pickers.

    Refused for the brand's default team (new cases land there) and for a team that still has
    open cases (they would wait in a queue nobody sees); the rules that sent cases to it are
    switched off, so a case they match falls through to the next rule. False when already archived.
    """
    if team.archived_at is not None:
        return False
    if team.is_default:
        raise InvalidInput(f"team: {team.name} is the brand's default team, where new cases land")
    still_open = session.scalar(
        select(func.count()).where(Case.team_id == team.id, Case.status.in_(OPEN_STATUSES))
    )
    if still_open:
        raise InvalidInput(
            f"team: {team.name} still has {still_open} open case{'s' if still_open != 1 else ''}; "
            "move them to another team first"
        )
    team.archived_at = at
    rules = list(
        session.scalars(
            select(RoutingRule).where(RoutingRule.team_id == team.id, RoutingRule.is_active.is_(True))
        )
    )
    for rule in rules:
        rule.is_active = False
    record_event(
        session,
        brand_id=team.brand_id,
        kind=EventKind.TEAM_ARCHIVED,
        subject_type="team",
        subject_id=team.id,
        actor_id=actor.id if actor else None,
        data={"name": team.name, "rules_switched_off": [rule.name for rule in rules]},
    )
    return True
