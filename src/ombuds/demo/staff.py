"""The demo airline's agents in its teams, with capacity, languages and each team's assignment policy,
so the desk's cases are spread across people the way a live desk's would be."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import AssignmentPolicy, Brand, Role, Team, User
from ombuds.accounts.security import HashedPassword
from ombuds.clock import utcnow
from ombuds.routing.assignment_actions import (
    WorkProfile,
    add_team_member,
    set_team_assignment,
    set_work_profile,
)

#: Agents besides the one-per-role people (email, name); they sign in with the demo password.
AGENTS = (
    ("sam@larkspur.example", "Sam Okafor"),
    ("lucia@larkspur.example", "Lucía Romero"),
    ("noah@larkspur.example", "Noah Berg"),
    ("bea@larkspur.example", "Bea Lindqvist"),
    ("dev@larkspur.example", "Dev Patel"),
)
#: email → capacity (None: no limit) and languages (empty: any)
PROFILES: dict[str, WorkProfile] = {
    "agent@larkspur.example": WorkProfile(languages=("en",)),
    "sam@larkspur.example": WorkProfile(languages=("en",)),
    "lucia@larkspur.example": WorkProfile(languages=("en", "es", "pt")),
    "noah@larkspur.example": WorkProfile(capacity=25, languages=("en", "de", "sv")),  # part-time
    "bea@larkspur.example": WorkProfile(),
    "dev@larkspur.example": WorkProfile(),
}
#: team slug → its policy and members (emails); a person may be in several teams
TEAMS: dict[str, tuple[AssignmentPolicy, tuple[str, ...]]] = {
    "care": (
        AssignmentPolicy.LEAST_LOADED,
        ("agent@larkspur.example", "sam@larkspur.example", "lucia@larkspur.example", "noah@larkspur.example"),
    ),
    "baggage": (AssignmentPolicy.ROUND_ROBIN, ("noah@larkspur.example", "sam@larkspur.example")),
    "billing": (AssignmentPolicy.MANUAL, ("bea@larkspur.example", "manager@larkspur.example")),
    "digital": (AssignmentPolicy.ROUND_ROBIN, ("dev@larkspur.example", "lucia@larkspur.example")),
    "comms": (AssignmentPolicy.MANUAL, ("pr@larkspur.example",)),
}


def seed_staff(session: Session, *, brand: Brand, password: HashedPassword) -> None:
    """Add the agents, put everyone in their teams with their profiles, and set each team's policy."""
    for email, name in AGENTS:
        user = actions.create_user(session, email=email, name=name, password=password)
        actions.add_membership(session, user=user, brand=brand, role=Role.AGENT)
    people = {user.email: user for user in session.scalars(select(User))}
    teams = {team.slug: team for team in session.scalars(select(Team).where(Team.brand_id == brand.id))}
    now = utcnow()
    for email, profile in PROFILES.items():
        set_work_profile(session, brand_id=brand.id, user=people[email], profile=profile, actor=None, at=now)
    for slug, (policy, members) in TEAMS.items():
        for email in members:
            add_team_member(session, team=teams[slug], user=people[email], actor=None, at=now)
        set_team_assignment(session, team=teams[slug], policy=policy, actor=None, at=now)
