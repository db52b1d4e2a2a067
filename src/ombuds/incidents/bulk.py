"""Acting on every open case of an incident at once: move to a team, set the priority, assign, resolve.

A storm is one thing on the desk, so PR or a manager handles its cases together. Each case goes
through the same writer a person's single change uses (``cases.lifecycle``), so every case gets
its own event and the same checks; the incident's timeline gets one entry with the count.
Replies built from the incident's holding statement are the reply tools' part
(``responses.wording.incident_replies``). Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases import lifecycle
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Priority
from ombuds.errors import Conflict, Forbidden, InvalidInput
from ombuds.incidents import actions, queries
from ombuds.incidents.models import Incident


class BulkKind(StrEnum):
    TEAM = "team"
    PRIORITY = "priority"
    ASSIGN = "assign"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class BulkRequest:
    """What to do to every open case; only the fields of ``kind`` are read."""

    kind: BulkKind
    team: Team | None = None
    priority: int | None = None
    assignee: User | None = None  # none with ASSIGN: unassign
    note: str = ""  # the reason for a priority, what was done for a resolution

    def describe(self) -> str:
        """The action in words, for confirmations and the timeline: "move to Billing"."""
        if self.kind is BulkKind.TEAM:
            return f"move to {self.team.name if self.team else 'a team'}"
        if self.kind is BulkKind.PRIORITY:
            label = Priority(self.priority).name.lower() if self.priority in set(Priority) else "?"
            return f"set priority to {label}"
        if self.kind is BulkKind.ASSIGN:
            return f"assign to {self.assignee.name}" if self.assignee else "unassign"
        return "resolve"


@dataclass(slots=True)
class BulkOutcome:
    """Per open case: changed, already as asked, or refused with the reason (an open task, say)."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.changed) + len(self.unchanged) + len(self.refused)

    def message(self, what: str) -> str:
        """What the action came to, in one line: how many cases changed, and which could not."""
        if self.total == 0:
            return "The incident has no open cases; nothing was changed."
        line = f"{what[:1].upper()}{what[1:]}: done on {len(self.changed)} of {self.total} open cases"
        if self.unchanged:
            line += f", {len(self.unchanged)} already so"
        if self.refused:
            first_id, why = next(iter(self.refused.items()))
            line += f"; {len(self.refused)} refused (case #{first_id}: {why})"
        return line + "."


def open_cases(session: Session, *, incident: Incident, only: Collection[int] | None = None) -> list[Case]:
    """The incident's open cases (through its mentions or linked by hand), oldest first; with
    ``only``, those of them the person ticked (the others are not about the incident)."""
    ids = [row.id for row in queries.incident_cases(session, incident=incident, limit=10_000)]
    if only is not None:
        ticked_ids = set(only)
        ids = [case_id for case_id in ids if case_id in ticked_ids]
    if not ids:
        return []
    return list(
        session.scalars(
            select(Case)
            .where(Case.id.in_(ids), Case.brand_id == incident.brand_id, Case.status.in_(OPEN_STATUSES))
            .order_by(Case.opened_at, Case.id)
        )
    )


def ticked(chosen: str, case_ids: list[str]) -> set[int] | None:
    """The cases ticked on the confirmation page (``chosen`` says it listed them); None: every open
    case, as before the page listed them. A value that is no id ticks nothing."""
    if chosen != "yes":
        return None
    return {int(value) for value in case_ids if value.isascii() and value.isdigit() and len(value) < 19}


def check_request(request: BulkRequest, *, brand_id: int) -> None:
    """Refuse a request that cannot apply to any case, before touching one (InvalidInput naming the field)."""
    if request.kind is BulkKind.TEAM and (request.team is None or request.team.brand_id != brand_id):
        raise InvalidInput("team_id: choose a team of this brand")
    if request.kind is BulkKind.PRIORITY and request.priority not in set(Priority):
        raise InvalidInput(f"priority: must be 1 (urgent) to 4 (low), got {request.priority}")
    if request.kind is BulkKind.RESOLVE and not request.note.strip():
        raise InvalidInput("note: say what was done, so each customer's case records why it was resolved")


def _apply(session: Session, case: Case, request: BulkRequest, *, actor: Actor, reason: str) -> bool:
    """One case through the person's writer; True when it changed."""
    if request.kind is BulkKind.TEAM:
        assert request.team is not None
        return lifecycle.move_case_to_team(session, case=case, team=request.team, actor=actor) is not None
    if request.kind is BulkKind.PRIORITY:
        assert request.priority is not None
        changed = lifecycle.change_priority(
            session, case=case, priority=request.priority, reason=request.note.strip() or reason, actor=actor
        )
        return changed is not None
    if request.kind is BulkKind.ASSIGN:
        return lifecycle.assign_case(session, case=case, assignee=request.assignee, actor=actor) is not None
    return bool(
        lifecycle.change_status(
            session, case=case, status=CaseStatus.RESOLVED, actor=actor, note=request.note
        )
    )


def apply_to_open_cases(
    session: Session,
    *,
    incident: Incident,
    request: BulkRequest,
    actor: Actor,
    now: datetime,
    only: Collection[int] | None = None,
) -> BulkOutcome:
    """Do ``request`` to each open case of the incident; one event per case changed, one on the incident.

    A case the change cannot apply to (a resolution while another team's task is open) is refused
    alone and named in the outcome; the others go ahead. A request that fits no case raises.
    """
    check_request(request, brand_id=incident.brand_id)
    outcome = BulkOutcome()
    reason = f"Part of incident #{incident.id}: {incident.title}"[: lifecycle.REASON_MAX_CHARS]
    for case in open_cases(session, incident=incident, only=only):
        try:
            changed = _apply(session, case, request, actor=actor, reason=reason)
        # refused before anything was written (set_case_status; an urgent case the actor may not lower)
        except (Conflict, Forbidden) as exc:
            outcome.refused[case.id] = str(exc)
            continue
        (outcome.changed if changed else outcome.unchanged).append(case.id)
    if not (outcome.changed or outcome.refused):
        return outcome  # nothing happened: nothing to note on the timeline
    actions.record_bulk_action(
        session,
        incident=incident,
        action=request.kind.value,
        detail=request.describe(),
        case_ids=outcome.changed,
        refused=len(outcome.refused),
        actor_id=actor.user_id,
        now=now,
    )
    return outcome
