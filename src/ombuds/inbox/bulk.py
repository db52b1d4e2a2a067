"""One change to many cases at once, through the same writers a single case uses.

Each case gets its own events (the timeline of every case tells who changed it), all in the
caller's one transaction. The request is refused whole when it names a case outside the brand or
the actor may not work cases; a case the change cannot apply to (a task still open, a status that
cannot move that way) is skipped with its reason, which the writers give before they change
anything, and the rest go ahead. A change that is wrong in itself (an unknown person, an empty
reason) rises as InvalidInput, and the edge, which owns the transaction, keeps nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases import lifecycle
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.inbox.values import BulkAction
from ombuds.incidents import actions as incident_actions
from ombuds.incidents.access import may_manage
from ombuds.incidents.models import Incident

#: The most cases one request may change: a page of the inbox, with room.
MAX_CASES = 200


@dataclass(frozen=True, slots=True)
class BulkChange:
    """What to do; only the fields the action needs are read."""

    action: BulkAction
    assignee: User | None = None
    team: Team | None = None
    priority: int | None = None
    reason: str = ""
    note: str = ""
    incident: Incident | None = None


@dataclass
class BulkOutcome:
    """Which cases changed, which were already so, and which were refused with the reason."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)

    def summary(self, done: str) -> str:
        """One line for people: "3 cases assigned to Ada; 1 already was; 1 refused: #12 (why)."."""
        parts = [f"{_cases(len(self.changed))} {done}"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} already {'was' if len(self.unchanged) == 1 else 'were'}")
        if self.refused:
            reasons = "; ".join(f"#{case_id}: {why}" for case_id, why in self.refused.items())
            parts.append(f"{len(self.refused)} not changed ({reasons})")
        return "; ".join(parts) + "."


def _cases(count: int) -> str:
    return f"{count} case" if count == 1 else f"{count} cases"


def cases_to_change(session: Session, *, brand_id: int, case_ids: Sequence[int]) -> list[Case]:
    """The named cases of the brand, in the order named; NotFound naming any that are not."""
    wanted = list(dict.fromkeys(case_ids))
    if not wanted:
        raise InvalidInput("case_ids: choose at least one case")
    if len(wanted) > MAX_CASES:
        raise InvalidInput(f"case_ids: at most {MAX_CASES} cases at once (got {len(wanted)})")
    found = {
        case.id: case
        for case in session.scalars(select(Case).where(Case.id.in_(wanted), Case.brand_id == brand_id))
    }
    missing = [case_id for case_id in wanted if case_id not in found]
    if missing:
        shown = ", ".join(str(case_id) for case_id in missing[:10])
        raise NotFound(f"no case {shown} in this brand; nothing was changed")
    return [found[case_id] for case_id in wanted]


def _ensure_may(session: Session, *, cases: Sequence[Case], change: BulkChange, actor: Actor) -> None:
    lifecycle.ensure_may_work(session, case=cases[0], actor=actor)  # every case is of one brand
    if change.action is BulkAction.INCIDENT:
        if change.incident is None or change.incident.brand_id != cases[0].brand_id:
            raise InvalidInput("incident_id: no such incident in this brand")
        if not may_manage(lifecycle.acting_role(session, actor=actor, brand_id=cases[0].brand_id)):
            raise Forbidden("linking cases to an incident is for PR, managers and admins")


def _apply_one(session: Session, *, case: Case, change: BulkChange, actor: Actor) -> bool:
    """Change one case; True when it changed, False when it already was so."""
    action = change.action
    if action is BulkAction.ASSIGN:
        return lifecycle.assign_case(session, case=case, assignee=change.assignee, actor=actor) is not None
    if action is BulkAction.TEAM:
        if change.team is None:
            raise InvalidInput("team_id: choose a team")
        return lifecycle.move_case_to_team(session, case=case, team=change.team, actor=actor) is not None
    if action is BulkAction.PRIORITY:
        if change.priority is None:
            raise InvalidInput("priority: choose a priority")
        reason = change.reason or "changed with other cases in the inbox"
        return (
            lifecycle.change_priority(
                session, case=case, priority=change.priority, reason=reason, actor=actor
            )
            is not None
        )
    if action is BulkAction.RESOLVE:
        return bool(
            lifecycle.change_status(
                session, case=case, status=CaseStatus.RESOLVED, note=change.note, actor=actor
            )
        )
    assert change.incident is not None  # checked by _ensure_may
    return incident_actions.link_case(
        session,
        incident=change.incident,
        case_id=case.id,
        case_brand_id=case.brand_id,
        actor_id=actor.user_id,
        now=utcnow(),
    )


def apply_bulk(
    session: Session, *, brand_id: int, case_ids: Sequence[int], change: BulkChange, actor: Actor
) -> BulkOutcome:
    """Make ``change`` to every named case of the brand; the caller commits once."""
    cases = cases_to_change(session, brand_id=brand_id, case_ids=case_ids)
    _ensure_may(session, cases=cases, change=change, actor=actor)
    outcome = BulkOutcome()
    for case in cases:
        try:
            changed = _apply_one(session, case=case, change=change, actor=actor)
        # this case cannot take it now (Forbidden: an urgent case the actor may not lower);
        # InvalidInput (the change itself is wrong) rises
        except (Conflict, Forbidden) as refused:
            outcome.refused[case.id] = str(refused)
            continue
        (outcome.changed if changed else outcome.unchanged).append(case.id)
    session.flush()
    return outcome
