"""Who may do what with problems: PR, managers and admins create, confirm, dismiss and reword them
(they speak for the customers); the owning team's members who may work, and those three roles,
move the status and the expected fix date."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import TeamMember, User
from ombuds.accounts.values import Role
from ombuds.cases.lifecycle import Actor, acting_role
from ombuds.cases.workflow import may_work
from ombuds.errors import Forbidden, NotFound
from ombuds.problems.models import Problem

#: People who speak for the customers: they decide what is a problem.
MANAGING_ROLES = frozenset({Role.PR, Role.MANAGER, Role.ADMIN})


def role_of(session: Session, *, actor: Actor, brand_id: int) -> Role | None:
    return acting_role(session, actor=actor, brand_id=brand_id)


def may_manage(role: Role | None) -> bool:
    return role in MANAGING_ROLES


def ensure_may_manage(session: Session, *, actor: Actor, brand_id: int) -> None:
    role = role_of(session, actor=actor, brand_id=brand_id)
    if role is None:
        raise NotFound("no such brand")
    if not may_manage(role):
        who = actor.user.name if actor.user else "an integration token"
        raise Forbidden(
            f"{who} ({role.value}) may not create or confirm problems: PR, managers and admins do"
        )


def may_move_status(session: Session, *, problem: Problem, user: User | None, role: Role | None) -> bool:
    """PR, managers and admins, and the members of the owning team who may work."""
    if may_manage(role):
        return True
    if user is None or not may_work(role) or problem.owner_team_id is None:
        return False
    member = session.scalar(
        select(TeamMember.id).where(
            TeamMember.team_id == problem.owner_team_id, TeamMember.user_id == user.id
        )
    )
    return member is not None
