"""The writers of assignment: team members, each person's capacity, skills and availability, each
team's policy, and the desk giving cases to people (routing, escalation, someone going away).

The choice is ``assignment.choose_assignee``'s; the case is written by ``cases.actions.set_case_owner``
(or ``apply_routing``), which counts handoffs. Managers and admins change teams and profiles; anyone
who works cases may set their own availability. ``actor=None`` is the operator at the server (CLI).
Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import AssignmentPolicy, Membership, Role, Team, TeamMember, User
from ombuds.accounts.queries import get_role
from ombuds.cases.actions import set_case_owner
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus
from ombuds.cases.workflow import may_work
from ombuds.errors import Forbidden, InvalidInput, NotFound
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.routing.assignment import Candidate, Choice, choose_assignee
from ombuds.routing.assignment_queries import (
    case_needs,
    has_members,
    is_away,
    is_team_member,
    team_candidates,
)

#: Who may change teams' members and policies and people's capacity and skills.
MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
#: An away person's cases in these statuses go back to the queue; a pending case waits on someone
#: else, and its owner picks it up on return.
RETURNED_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN)
SKILL_MAX_CHARS = 64
SKILLS_MAX = 50


@dataclass(frozen=True, slots=True)
class WorkProfile:
    """How a person takes cases in a brand: capacity (None: no limit) and skills (empty: any)."""

    capacity: int | None = None
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def _ensure_manager(session: Session, *, brand_id: int, actor: Actor | None, what: str) -> None:
    if actor is None:
        return
    role = get_role(session, user=actor.user, brand_id=brand_id) if actor.user else None
    if role not in MANAGING_ROLES:
        who = actor.user.name if actor.user else "a token acting for no one"
        raise Forbidden(f"{who} may not {what}: managers and admins do")


def _membership(session: Session, *, brand_id: int, user: User) -> Membership:
    found = session.scalar(
        select(Membership).where(Membership.brand_id == brand_id, Membership.user_id == user.id)
    )
    if found is None:
        raise NotFound(f"user_id: no user {user.id} in this brand")  # another brand's people are not named
    return found


def _skills(values: Sequence[str], *, field: str) -> list[str]:
    cleaned = sorted({value.strip() for value in values if value.strip()})
    if len(cleaned) > SKILLS_MAX:
        raise InvalidInput(f"{field}: at most {SKILLS_MAX} entries (got {len(cleaned)})")
    too_long = next((value for value in cleaned if len(value) > SKILL_MAX_CHARS), None)
    if too_long is not None:
        raise InvalidInput(f"{field}: {too_long[:20]!r}… is longer than {SKILL_MAX_CHARS} characters")
    return cleaned


def _event(
    session: Session,
    *,
    brand_id: int,
    kind: EventKind,
    subject: tuple[str, int],
    actor: Actor | None,
    at: datetime,
    data: dict[str, object],
) -> None:
    record_event(
        session,
        brand_id=brand_id,
        kind=kind,
        subject_type=subject[0],
        subject_id=subject[1],
        actor_id=actor.user_id if actor else None,
        data=data,
        occurred_at=at,
    )


# --- teams and people -----------------------------------------------------------------------------


def add_team_member(session: Session, *, team: Team, user: User, actor: Actor | None, at: datetime) -> bool:
    """Put a person of the brand in the team; False when they are in it already."""
    _ensure_manager(session, brand_id=team.brand_id, actor=actor, what="change a team's members")
    role = _membership(session, brand_id=team.brand_id, user=user).role
    if not may_work(role):
        raise InvalidInput(f"user_id: {user.name} is a {role.value} and cannot work cases")
    if is_team_member(session, team_id=team.id, user_id=user.id):
        return False
    session.add(TeamMember(team_id=team.id, user_id=user.id, created_at=at))
    session.flush()
    _event(
        session,
        brand_id=team.brand_id,
        kind=EventKind.TEAM_MEMBER_ADDED,
        subject=("team", team.id),
        actor=actor,
        at=at,
        data={"user_id": user.id},
    )
    return True


def remove_team_member(
    session: Session, *, team: Team, user: User, actor: Actor | None, at: datetime
) -> bool:
    """Take a person out of the team (their cases stay theirs); False when they were not in it."""
    _ensure_manager(session, brand_id=team.brand_id, actor=actor, what="change a team's members")
    row = session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    if row is None:
        return False
    session.delete(row)
    if team.last_assigned_user_id == user.id:
        team.last_assigned_user_id = None
    session.flush()
    _event(
        session,
        brand_id=team.brand_id,
        kind=EventKind.TEAM_MEMBER_REMOVED,
        subject=("team", team.id),
        actor=actor,
        at=at,
        data={"user_id": user.id},
    )
    return True


def set_team_assignment(
    session: Session, *, team: Team, policy: AssignmentPolicy, actor: Actor | None, at: datetime
) -> None:
    """How the team gives out the cases routed to it from now on (cases already there stay put)."""
    _ensure_manager(session, brand_id=team.brand_id, actor=actor, what="change how a team assigns cases")
    if team.assignment is policy:
        return
    previous = team.assignment
    team.assignment = policy
    _event(
        session,
        brand_id=team.brand_id,
        kind=EventKind.TEAM_ASSIGNMENT_CHANGED,
        subject=("team", team.id),
        actor=actor,
        at=at,
        data={"from": previous.value, "to": policy.value},
    )


def set_work_profile(
    session: Session, *, brand_id: int, user: User, profile: WorkProfile, actor: Actor | None, at: datetime
) -> Membership:
    """A person's capacity and skills in the brand (replacing what was there)."""
    _ensure_manager(session, brand_id=brand_id, actor=actor, what="change a person's capacity or skills")
    if profile.capacity is not None and not 0 <= profile.capacity <= 10_000:
        raise InvalidInput(f"capacity: 0 to 10000 open cases, or none for no limit (got {profile.capacity})")
    membership = _membership(session, brand_id=brand_id, user=user)
    membership.capacity = profile.capacity
    membership.languages = _skills(profile.languages, field="languages")
    membership.channels = _skills(profile.channels, field="channels")
    membership.categories = _skills(profile.categories, field="categories")
    _event(
        session,
        brand_id=brand_id,
        kind=EventKind.WORK_PROFILE_CHANGED,
        subject=("user", user.id),
        actor=actor,
        at=at,
        data={
            "capacity": membership.capacity,
            "languages": membership.languages,
            "channels": membership.channels,
            "categories": membership.categories,
        },
    )
    return membership


# --- who gets a case ------------------------------------------------------------------------------


class Assigner:
    """Choices for one round of work (a routing batch, one away): each team's members are read
    once and their loads kept up to date here as cases are given out, so a batch of a thousand
    new cases does not read the team a thousand times.

    A team's row is locked the first time it gives a case (PostgreSQL), so two runners do not both
    give the next case to the same member's turn; the lock lasts until the caller commits.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._members: dict[int, list[Candidate]] = {}

    def _candidates(self, team: Team) -> list[Candidate]:
        if team.id not in self._members:
            self.session.execute(select(Team.id).where(Team.id == team.id).with_for_update())
            self._members[team.id] = team_candidates(self.session, team)
        return self._members[team.id]

    def choose(self, *, case: Case, team: Team, exclude: int | None = None) -> Choice:
        """The member of ``team`` the case goes to under its policy; remembers the turn for round robin."""
        if team.assignment is AssignmentPolicy.MANUAL:
            return Choice(None, "the team assigns by hand")
        members = self._candidates(team)
        choice = choose_assignee(
            team.assignment,
            [c for c in members if c.user_id != exclude],
            case_needs(self.session, case),
            last_user_id=team.last_assigned_user_id,
        )
        if choice.user_id is None:
            return choice
        team.last_assigned_user_id = choice.user_id
        self._members[team.id] = [
            replace(c, load=c.load + 1) if c.user_id == choice.user_id else c for c in members
        ]
        return Choice(choice.user_id, f"{choice.reason} in {team.name}")


def owner_is_away(session: Session, *, case: Case) -> bool:
    """The case's owner is away: a customer writing again should not wait for them."""
    owner = case.assignee_id
    return owner is not None and is_away(session, brand_id=case.brand_id, user_id=owner)


def routed_owner(
    session: Session, *, case: Case, team: Team | None, assigner: Assigner | None = None
) -> Choice:
    """Who has the case after routing puts it in ``team``: the owner stays while they are in it
    (or the team did not change, or it has nobody yet to take the case); otherwise the team's
    policy chooses, or nobody (its queue)."""
    if team is None:
        return Choice(case.assignee_id, "no team")
    owner = case.assignee_id
    if owner is not None and owner_is_away(session, case=case):
        choice = (assigner or Assigner(session)).choose(case=case, team=team, exclude=owner)
        name = session.get(User, owner)
        away = f"{name.name if name else f'user {owner}'} is away; "
        return Choice(
            choice.user_id, away + (choice.reason if choice.user_id else "back to the team's queue")
        )
    if owner is not None and (
        team.id == case.team_id
        or is_team_member(session, team_id=team.id, user_id=owner)
        or not has_members(session, team_id=team.id)
    ):
        return Choice(owner, "kept")
    return (assigner or Assigner(session)).choose(case=case, team=team)


def move_to_team(session: Session, *, case: Case, team: Team, at: datetime) -> None:
    """The desk moves the case to another team (an escalation): one handoff, and the team's policy
    gives it to a member unless its owner is in that team too."""
    choice = routed_owner(session, case=case, team=team)
    set_case_owner(
        session,
        case=case,
        team_id=team.id,
        assignee_id=choice.user_id,
        at=at,
        reason=choice.reason if choice.user_id is not None else None,
    )


# --- availability ---------------------------------------------------------------------------------


def _ensure_self_or_manager(session: Session, *, brand_id: int, user: User, actor: Actor | None) -> None:
    if actor is not None and actor.user is not None and actor.user.id == user.id:
        role = get_role(session, user=user, brand_id=brand_id)
        if role is not None and may_work(role):
            return
    _ensure_manager(session, brand_id=brand_id, actor=actor, what=f"set {user.name}'s availability")


def set_away(session: Session, *, brand_id: int, user: User, actor: Actor | None, at: datetime) -> list[int]:
    """The person is away: their new and open cases go back to their teams' queues, each to
    another member where the team assigns automatically. Returns the cases moved."""
    _ensure_self_or_manager(session, brand_id=brand_id, user=user, actor=actor)
    membership = _membership(session, brand_id=brand_id, user=user)
    if membership.away_since is not None:
        return []
    membership.away_since = at
    session.flush()
    cases = session.scalars(
        select(Case)
        .where(Case.brand_id == brand_id, Case.assignee_id == user.id, Case.status.in_(RETURNED_STATUSES))
        .order_by(Case.priority, Case.opened_at, Case.id)
    ).all()
    assigner = Assigner(session)
    for case in cases:
        team = session.get(Team, case.team_id) if case.team_id is not None else None
        choice = assigner.choose(case=case, team=team, exclude=user.id) if team else Choice(None, "")
        reason = f"{user.name} is away; " + (choice.reason if choice.user_id else "back to the team's queue")
        set_case_owner(
            session,
            case=case,
            team_id=case.team_id,
            assignee_id=choice.user_id,
            at=at,
            reason=reason,
            returned_to_queue=True,
            actor_id=actor.user_id if actor else None,
        )
        session.flush()
    _event(
        session,
        brand_id=brand_id,
        kind=EventKind.PERSON_AWAY,
        subject=("user", user.id),
        actor=actor,
        at=at,
        data={"returned_case_ids": [case.id for case in cases]},
    )
    return [case.id for case in cases]


def set_back(session: Session, *, brand_id: int, user: User, actor: Actor | None, at: datetime) -> bool:
    """The person is back and gets cases again; False when they were not away."""
    _ensure_self_or_manager(session, brand_id=brand_id, user=user, actor=actor)
    membership = _membership(session, brand_id=brand_id, user=user)
    if membership.away_since is None:
        return False
    membership.away_since = None
    _event(
        session,
        brand_id=brand_id,
        kind=EventKind.PERSON_BACK,
        subject=("user", user.id),
        actor=actor,
        at=at,
        data={},
    )
    return True
