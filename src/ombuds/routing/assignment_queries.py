"""Reads for assignment: a team's members with their load, skills and availability; what a case needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Membership, Role, Team, TeamMember, User
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Direction, Mention
from ombuds.routing.assignment import Candidate, CaseNeeds

#: Labels analysis gives when it cannot tell; they ask nothing of the case's owner.
UNKNOWN_LABELS = frozenset({"und", "unknown", "other", ""})


@dataclass(frozen=True, slots=True)
class TeamMemberRow:
    """A member as the Team page and the API show them."""

    user_id: int
    name: str
    email: str
    role: Role
    load: int
    capacity: int | None
    languages: list[str]
    channels: list[str]
    categories: list[str]
    away_since: datetime | None

    @property
    def is_away(self) -> bool:
        return self.away_since is not None


def open_case_loads(session: Session, *, brand_id: int, user_ids: list[int]) -> dict[int, int]:
    """Open cases (new, open, pending) each person has in the brand."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Case.assignee_id, func.count())
        .where(Case.brand_id == brand_id, Case.assignee_id.in_(user_ids), Case.status.in_(OPEN_STATUSES))
        .group_by(Case.assignee_id)
    )
    return {user_id: count for user_id, count in rows if user_id is not None}


def list_team_members(session: Session, team: Team) -> list[TeamMemberRow]:
    """The team's active members who belong to its brand, by name, with their load now.

    Columns, not rows: routing asks this for every case it assigns, and loading users would
    load each one's memberships too.
    """
    rows = session.execute(
        select(
            User.id,
            User.name,
            User.email,
            Membership.role,
            Membership.capacity,
            Membership.languages,
            Membership.channels,
            Membership.categories,
            Membership.away_since,
        )
        .join(TeamMember, TeamMember.user_id == User.id)
        .join(Membership, (Membership.user_id == User.id) & (Membership.brand_id == team.brand_id))
        .where(TeamMember.team_id == team.id, User.is_active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    loads = open_case_loads(session, brand_id=team.brand_id, user_ids=[row.id for row in rows])
    return [
        TeamMemberRow(
            user_id=row.id,
            name=row.name,
            email=row.email,
            role=row.role,
            load=loads.get(row.id, 0),
            capacity=row.capacity,
            languages=list(row.languages),
            channels=list(row.channels),
            categories=list(row.categories),
            away_since=row.away_since,
        )
        for row in rows
    ]


def team_candidates(session: Session, team: Team) -> list[Candidate]:
    """The members automatic assignment may choose from (viewers never work cases)."""
    return [
        Candidate(
            user_id=row.user_id,
            name=row.name,
            load=row.load,
            capacity=row.capacity,
            is_away=row.is_away,
            languages=frozenset(row.languages),
            channels=frozenset(row.channels),
            categories=frozenset(row.categories),
        )
        for row in list_team_members(session, team)
        if row.role is not Role.VIEWER
    ]


def is_team_member(session: Session, *, team_id: int, user_id: int) -> bool:
    found = session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
    )
    return found is not None


def is_away(session: Session, *, brand_id: int, user_id: int) -> bool:
    since = session.scalar(
        select(Membership.away_since).where(Membership.brand_id == brand_id, Membership.user_id == user_id)
    )
    return since is not None


def has_members(session: Session, *, team_id: int) -> bool:
    return session.scalar(select(TeamMember.id).where(TeamMember.team_id == team_id).limit(1)) is not None


def case_needs(session: Session, case: Case) -> CaseNeeds:
    """The language and category analysis found in the customer's first message, and the case's channel."""
    first = (
        select(Mention.id)
        .where(Mention.case_id == case.id, Mention.direction == Direction.INBOUND)
        .order_by(Mention.created_at, Mention.id)
        .limit(1)
        .scalar_subquery()
    )
    found = select(Enrichment.analyzer, Enrichment.label).where(
        Enrichment.mention_id == first, Enrichment.analyzer.in_(("language", "category"))
    )
    labels: dict[str, str | None] = dict(session.execute(found).all())

    def known(label: str | None) -> str | None:
        return label if label is not None and label.lower() not in UNKNOWN_LABELS else None

    return CaseNeeds(
        language=known(labels.get("language")), channel=case.channel, category=known(labels.get("category"))
    )


def teams_of(session: Session, *, brand_id: int, user_id: int) -> list[Team]:
    """The brand's teams the person is a member of, by name."""
    return list(
        session.scalars(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.brand_id == brand_id, TeamMember.user_id == user_id)
            .order_by(Team.name)
        )
    )
