"""The writers of an agent's everyday case work: who owns it, which team, its status, its priority, notes.

Every change is an event with the actor, so the case page can tell who did what and when, and
metrics can count problems fixed rather than calls handled. Callers own the transaction.

Who may work a case: members of its brand with any role but viewer, or the brand's API token
(a machine acting for the brand; its events name the token). Callers pass only cases the actor's
scope can see; the actions check the role again so no edge can forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.cases.actions import set_case_status
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.cases.outcomes import is_handoff
from ombuds.cases.values import ResolvedAs
from ombuds.cases.workflow import may_work, status_path
from ombuds.clock import utcnow
from ombuds.db import lock_for_writing
from ombuds.enrichment.corrections import record_correction
from ombuds.enrichment.learnable import LEARNABLE
from ombuds.enrichment.models import Enrichment
from ombuds.errors import Forbidden, InvalidInput, NotFound
from ombuds.event_payloads import (
    CaseAssigned,
    CaseNoteAdded,
    CasePriorityChanged,
    CaseTeamChanged,
    ChangeByPerson,
)
from ombuds.events import Event, record_event
from ombuds.fields import unprintable
from ombuds.mentions.models import Mention

NOTE_MAX_CHARS = 5000
REASON_MAX_CHARS = 500


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: a person, or a brand's API token (and the person it belongs to, if any)."""

    user: User | None
    api_token_id: int | None = None

    def __post_init__(self) -> None:
        if self.user is None and self.api_token_id is None:
            raise ValueError("an actor is a user or an API token")

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


#: What an API token made for no person may do: work cases as an agent, and decide nothing for
#: PR or managers (``ombuds token create`` without ``--user``).
INTEGRATION_ROLE = Role.AGENT


def acting_role(session: Session, *, actor: Actor, brand_id: int) -> Role | None:
    """The actor's role in the brand: the person's, or an agent's for an integration's token."""
    return get_role(session, user=actor.user, brand_id=brand_id) if actor.user else INTEGRATION_ROLE


# --- rules ----------------------------------------------------------------------------------------


def ensure_may_work(session: Session, *, case: Case, actor: Actor) -> None:
    """Refuse viewers (Forbidden) and anyone outside the case's brand (NotFound, as if it were missing)."""
    if actor.user is None:
        return  # the brand's API token; the edge found the case within the token's brand
    role = get_role(session, user=actor.user, brand_id=case.brand_id)
    if role is None:
        raise NotFound(f"no case {case.id}")
    if not may_work(role):
        raise Forbidden(
            f"{actor.user.name} is a {role.value} of this brand and may read cases but not change them; "
            "ask an administrator for the agent role"
        )


def ensure_may_be_given_work(
    session: Session, *, user: User, brand_id: int, field: str = "assignee_id"
) -> None:
    """Refuse to give a case or task to someone who cannot work the brand's cases, naming them;
    another brand's people are answered as an id nobody has, never named."""
    role = get_role(session, user=user, brand_id=brand_id)
    if role is None:
        raise InvalidInput(f"{field}: no user {user.id}")
    if not user.is_active:
        raise InvalidInput(f"{field}: {user.name} is not an active member of this brand")
    if not may_work(role):
        raise InvalidInput(f"{field}: {user.name} is a {role.value} and cannot work cases")


def _text(value: str, *, field: str, limit: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"{field}: write something (it was empty)")
    if len(text) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters (got {len(text)})")
    return text


def _event(session: Session, *, case: Case, actor: Actor, payload: ChangeByPerson) -> Event:
    if actor.api_token_id is not None:
        payload = payload.model_copy(update={"api_token_id": actor.api_token_id})
    event = record_event(
        session,
        brand_id=case.brand_id,
        payload=payload,
        subject_type="case",
        subject_id=case.id,
        actor_id=actor.user_id,
        occurred_at=utcnow(),
    )
    session.flush()
    return event


# --- actions --------------------------------------------------------------------------------------


def assign_case(
    session: Session, *, case: Case, assignee: User | None, actor: Actor, field: str = "assignee_id"
) -> Event | None:
    """Give the case to one person of its brand (or to nobody); None when nothing changed.

    An owner by name is what stops a complaint from being forwarded and forgotten, so the
    assignee must be able to work it: a member of the case's brand who is not a viewer. A refusal
    names ``field``, the one the caller's form or body used.
    """
    ensure_may_work(session, case=case, actor=actor)
    if assignee is not None:
        ensure_may_be_given_work(session, user=assignee, brand_id=case.brand_id, field=field)
    new_id = assignee.id if assignee else None
    if new_id == case.assignee_id:
        return None
    previous = case.assignee_id
    case.assignee_id = new_id
    if is_handoff(previous, new_id):
        case.handoffs += 1
    return _event(session, case=case, actor=actor, payload=CaseAssigned(previous=previous, assignee=new_id))


def move_case_to_team(session: Session, *, case: Case, team: Team, actor: Actor) -> Event | None:
    """Hand the case to another team of its brand; None when it is there already."""
    ensure_may_work(session, case=case, actor=actor)
    if team.brand_id != case.brand_id:
        raise InvalidInput(f"team_id: no team {team.id} in this case's brand")
    if team.id == case.team_id:
        return None
    previous = case.team_id
    case.team_id = team.id
    if is_handoff(previous, team.id):
        case.handoffs += 1
    return _event(session, case=case, actor=actor, payload=CaseTeamChanged(previous=previous, team=team.id))


def hold_and_reread(session: Session, *cases: Case) -> None:
    """The cases as they are once no one else may change them until this transaction ends: a
    decision on what another request was changing at the same moment (resolving while a task is
    asked for, resolving twice, merging two cases into each other) would otherwise hold on a
    stale read."""
    session.flush()
    lock_for_writing(session, Case, [case.id for case in cases])
    for case in cases:
        session.refresh(case)


def change_status(
    session: Session,
    *,
    case: Case,
    status: CaseStatus,
    actor: Actor,
    note: str = "",
    resolved_as: ResolvedAs | None = None,
) -> list[Event]:
    """Move the case along new → open → pending → resolved → closed, or reopen it.

    Resolving stamps ``resolved_at`` (the resolution clock stops); reopening clears it, since
    the problem is not fixed after all. Closing an unresolved case resolves it on the way.
    ``resolved_as`` (spam, duplicate) goes with the resolution: no survey is offered then.
    Pending needs the date the case comes back (``followups.actions.set_pending_until``).
    """
    ensure_may_work(session, case=case, actor=actor)
    if resolved_as is not None and status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise InvalidInput(f"resolved_as: only with resolved or closed, not {status.value}")
    note = _text(note, field="note", limit=NOTE_MAX_CHARS, required=False)
    path = status_path(case.status, status)
    if CaseStatus.PENDING in path:
        # parked without a date, nothing would ever bring the case back: forwarded and forgotten
        raise InvalidInput(
            f"status: a case is parked until a date it comes back on; POST /api/v1/cases/{case.id}/pending "
            'with "until" and "reason" (or use Set pending… on the case page)'
        )
    hold_and_reread(session, case)
    events = []
    for target in path:
        events.append(
            set_case_status(
                session,
                case=case,
                status=target,
                at=utcnow(),
                actor_id=actor.user_id,
                note=note if note and target is status else None,
                api_token_id=actor.api_token_id,
                resolved_as=resolved_as,
            )
        )
        session.flush()
    return events


#: A check another part of the desk makes before a case's priority moves (the replies' approval:
#: an urgent case's public replies wait for PR, so lowering it is PR's or a manager's call): why
#: the actor's role may not move it from the case's priority to the new one, or None.
PriorityGuard = Callable[[Session, Case, Priority, Role | None], str | None]
_priority_guards: list[PriorityGuard] = []


def register_priority_guard(guard: PriorityGuard) -> None:
    """Ask ``guard`` before any priority change; once per guard."""
    if guard not in _priority_guards:
        _priority_guards.append(guard)


def change_priority(
    session: Session, *, case: Case, priority: int, reason: str, actor: Actor
) -> Event | None:
    """Set the priority (1 urgent … 4 low) with the reason, so others know why it moved."""
    ensure_may_work(session, case=case, actor=actor)
    try:
        chosen = Priority(priority)
    except ValueError:
        raise InvalidInput(f"priority: must be 1 (urgent) to 4 (low), got {priority}") from None
    reason = _text(reason, field="reason", limit=REASON_MAX_CHARS, required=True)
    if chosen == case.priority:
        return None
    role = acting_role(session, actor=actor, brand_id=case.brand_id)
    for guard in _priority_guards:
        refusal = guard(session, case, chosen, role)
        if refusal:
            raise Forbidden(refusal)
    previous = case.priority
    case.priority = int(chosen)
    return _event(
        session,
        case=case,
        actor=actor,
        payload=CasePriorityChanged(previous=int(previous), priority=int(chosen), reason=reason),
    )


def add_note(session: Session, *, case: Case, text: str, actor: Actor) -> Event:
    """An internal note on the case: seen by colleagues, never sent to the customer."""
    ensure_may_work(session, case=case, actor=actor)
    text = _text(text, field="text", limit=NOTE_MAX_CHARS, required=True)
    return _event(session, case=case, actor=actor, payload=CaseNoteAdded(text=text))


def correct_mention(
    session: Session, *, case: Case, mention: Mention, labels: Mapping[str, str], actor: Actor
) -> dict[str, str]:
    """An agent's corrections of what analysis said about a message (sentiment, intent, category).

    Only labels that differ from what the message shows now are recorded; each becomes a labeled
    example the brand's models learn from (``ombuds.enrichment.corrections.record_correction``).
    Returns analyzer → the new label, for what changed.
    """
    ensure_may_work(session, case=case, actor=actor)
    if mention.case_id != case.id:
        raise NotFound(f"no message {mention.id} in case {case.id}")
    unknown = sorted(set(labels) - set(LEARNABLE))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: analysis of this kind is not corrected by people")
    rows = session.execute(
        select(Enrichment.analyzer, Enrichment.label).where(
            Enrichment.mention_id == mention.id, Enrichment.analyzer.in_(list(labels))
        )
    )
    shown: dict[str, str | None] = dict(rows.all())
    changed = {}
    for analyzer, label in labels.items():
        label = label.strip()
        if (found := unprintable(label)) is not None:
            raise InvalidInput(
                f"{analyzer}: holds {found}, which no label may; write plain words on one line"
            )
        if label and label != shown.get(analyzer):
            record_correction(
                session,
                mention_id=mention.id,
                brand_id=case.brand_id,
                analyzer=analyzer,
                label=label,
                actor_id=actor.user_id,
            )
            changed[analyzer] = label
    return changed
