"""Reads a case's history as people tell it: opened, routed and why, answered, assigned, moved, notes.

The event log holds ids; this module turns them into names and one-line summaries, and merges
them with the customer's messages in the order things happened.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases.models import Case
from ombuds.cases.schemas import CaseEventRead, CaseMentionRead, priority_label
from ombuds.event_payloads import (
    CaseAssigned,
    CaseFirstResponse,
    CaseFollowUpReturned,
    CaseFollowUpSet,
    CaseNoteAdded,
    CaseOpened,
    CasePriorityChanged,
    CaseResolved,
    CaseRouted,
    CaseSlaEscalated,
    CaseSlaResumed,
    CaseStatusChanged,
    CaseTeamChanged,
    EnrichmentCorrected,
    EnrichmentReread,
    EventKind,
    EventPayload,
    EventPayloadError,
    ReplyApproved,
    ReplyAwaitingApproval,
    ReplyFailed,
    ReplyRejected,
    ReplySent,
    ReplyToPost,
    ReplyWithdrawn,
    ResolutionApplied,
    ResolutionApproved,
    ResolutionDeclined,
    ResolutionEvent,
    ResolutionRequested,
    SurveyAnswered,
    SurveyNotSent,
    SurveySent,
    TaskDone,
    TaskEvent,
    TaskOpened,
    TaskReminded,
    TaskWaived,
    parse_payload,
)
from ombuds.events import Event
from ombuds.mentions.models import Mention
from ombuds.mentions.values import channel_name
from ombuds.timezones import moment_label

logger = logging.getLogger(__name__)

#: Events about one message that belong in its case's history.
MENTION_KINDS = (EventKind.ENRICHMENT_CORRECTED, EventKind.ENRICHMENT_REREAD)


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """A message or an event, placed by when it happened."""

    kind: Literal["mention", "event"]
    at: datetime
    mention: CaseMentionRead | None = None
    event: CaseEventRead | None = None


def list_case_events(session: Session, *, case: Case, timezone: str = "UTC") -> list[CaseEventRead]:
    """The case's events, oldest first, with the names of the people and teams they mention and
    the moments they name on ``timezone``'s clock (a page's brand's; the API's UTC).

    ``case`` must already be scoped to the caller's brands (``queries.get_case``).
    """
    messages = select(Mention.id).where(Mention.case_id == case.id, Mention.brand_id == case.brand_id)
    events = list(
        session.scalars(
            select(Event)
            .where(
                Event.brand_id == case.brand_id,
                or_(
                    and_(Event.subject_type == "case", Event.subject_id == case.id),
                    and_(
                        Event.subject_type == "mention",
                        Event.kind.in_(MENTION_KINDS),
                        Event.subject_id.in_(messages.scalar_subquery()),
                    ),
                ),
            )
            .order_by(Event.occurred_at, Event.id)
        )
    )
    payloads = [_payload(event) for event in events]
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    team_ids: set[int] = set()
    for payload in payloads:
        if isinstance(payload, CaseAssigned):
            user_ids |= {found for found in (payload.previous, payload.assignee) if found is not None}
        elif isinstance(payload, TaskEvent):
            team_ids.add(payload.team_id)
        elif isinstance(payload, CaseTeamChanged):
            team_ids |= {found for found in (payload.previous, payload.team) if found is not None}
        elif isinstance(payload, CaseRouted) and payload.team_id is not None:
            team_ids.add(payload.team_id)
        elif isinstance(payload, CaseSlaEscalated):
            team_ids |= {found for found in (payload.previous_team_id, payload.team_id) if found is not None}
            user_ids |= set(payload.notified_user_ids)
    users = _names(session, User, user_ids)
    teams = _names(session, Team, team_ids)
    return [
        CaseEventRead(
            id=event.id,
            kind=event.kind,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_name=users.get(event.actor_id) if event.actor_id is not None else None,
            summary=summary(event.kind, payload, users=users, teams=teams, timezone=timezone),
            detail=str(payload) if isinstance(payload, EventPayloadError) else detail(payload),
            data=dict(event.data)
            | ({"mention_id": event.subject_id} if event.subject_type == "mention" else {}),
        )
        for event, payload in zip(events, payloads, strict=True)
    ]


def _payload(event: Event) -> EventPayload | EventPayloadError | None:
    """The event's typed payload, or the error that says why it cannot be read (logged once here)."""
    try:
        return parse_payload(event.kind, event.data, where=f"event {event.id}")
    except EventPayloadError as exc:
        logger.warning("%s", exc)
        return exc


def merge(mentions: Sequence[CaseMentionRead], events: Sequence[CaseEventRead]) -> list[TimelineItem]:
    """Messages and events in time order; at the same moment the message comes first (it caused them)."""
    items = [TimelineItem("mention", m.created_at, mention=m) for m in mentions]
    items += [TimelineItem("event", e.occurred_at, event=e) for e in events]
    return sorted(items, key=lambda item: (item.at, item.kind != "mention"))


# --- wording --------------------------------------------------------------------------------------


def summary(
    kind: str,
    payload: EventPayload | EventPayloadError | None,
    *,
    users: dict[int, str],
    teams: dict[int, str],
    timezone: str = "UTC",
) -> str:
    """One line that says what happened, with names instead of ids and moments on ``timezone``'s clock."""

    def moment(iso: str) -> str:
        try:
            return moment_label(datetime.fromisoformat(iso), timezone=timezone)
        except ValueError:  # a payload written by hand or by an older version: shown as it is
            return iso

    def user(found: int | None) -> str:
        return users.get(found, f"user {found}") if found is not None else "nobody"

    def team(found: int | None) -> str:
        return teams.get(found, f"team {found}") if found is not None else "no team"

    match payload:
        case EventPayloadError():
            return f"{_kind_words(kind)} (its details could not be read)"
        case CaseOpened():
            return "Case opened"
        case CaseRouted(team_id=team_id, priority=priority):
            routed = f"Routed to {team(team_id)}"
            return (
                f"{routed} · {priority_label(priority).title()} priority" if priority is not None else routed
            )
        case CaseFirstResponse():
            return "First response sent"
        case CaseAssigned(previous=previous, assignee=None):
            return f"Unassigned (was {user(previous)})"
        case CaseAssigned(previous=previous, assignee=assignee):
            return f"Assigned to {user(assignee)}" + (f" (was {user(previous)})" if previous else "")
        case CaseTeamChanged(previous=previous, team=to):
            return f"Moved to {team(to)}" + (f" (from {team(previous)})" if previous else "")
        case CaseStatusChanged(previous=previous, status=status, resolved_as=str() as resolved_as):
            return f"Status {_word(previous)} → {_word(status)} (as {resolved_as}: no survey)"
        case CaseStatusChanged(previous=previous, status=status):
            return f"Status {_word(previous)} → {_word(status)}"
        case CaseResolved():
            return "Resolved"
        case CasePriorityChanged(previous=previous, priority=priority):
            return f"Priority {_priority(previous)} → {_priority(priority)}"
        case CaseNoteAdded():
            return "Internal note"
        case EnrichmentCorrected(analyzer=analyzer, label=label, previous=previous):
            corrected = f"{_word(analyzer)} of a message corrected to {_word(label)}"
            return corrected + (f" (was {_word(previous)})" if previous else "")
        case EnrichmentReread(labels=labels, previous=previous):
            changes = ", ".join(
                f"{_word(analyzer)} {_word(previous.get(analyzer))} → {_word(label)}"
                for analyzer, label in sorted(labels.items())
            )
            return f"A message read fast in a burst, re-read by the accurate model: {changes}"
        case ResolutionApplied():
            return f"{_resolution(payload)} given"
        case ResolutionRequested():
            return f"{_resolution(payload)} asked for: waits for a manager's approval"
        case ResolutionApproved():
            return f"{_resolution(payload)} approved and given"
        case ResolutionDeclined():
            return f"{_resolution(payload)} declined"
        case ReplyAwaitingApproval(visibility=visibility):
            return f"{_word(visibility)} reply waits for PR approval"
        case ReplyApproved(visibility=visibility, edited=edited):
            return f"{_word(visibility)} reply approved" + (" with edits" if edited else "")
        case ReplyRejected(visibility=visibility):
            return f"{_word(visibility)} reply rejected"
        case ReplyWithdrawn(visibility=visibility):
            return f"{_word(visibility)} reply withdrawn"
        case ReplyToPost(visibility=visibility):
            return f"{_word(visibility)} reply waits to be posted by hand: no connector sends on its channel"
        case ReplySent(visibility=visibility, is_manual=True):
            return f"{_word(visibility)} reply posted by hand"
        case ReplySent(visibility=visibility):
            return f"{_word(visibility)} reply sent"
        case ReplyFailed(visibility=visibility):
            return f"{_word(visibility)} reply failed to send"
        case CaseFollowUpSet(follow_up="check_in", due_at=due_at):
            return f"Check-in planned for {moment(due_at)}"
        case CaseFollowUpSet(due_at=due_at, waiting_on=waiting_on):
            waiting = f", waiting on {_WAITING_ON.get(waiting_on, waiting_on)}" if waiting_on else ""
            return f"Pending until {moment(due_at)}{waiting}"
        case CaseFollowUpReturned(follow_up=follow_up, outcome="returned"):
            return (
                "Check-in due: case reopened" if follow_up == "check_in" else "Pending date came: case back"
            )
        case CaseFollowUpReturned():
            return "Follow-up date came; the case had been taken up already"
        case SurveySent(by_email=True):
            return "Survey sent to the customer by email"
        case SurveySent(channel=channel):
            return f"Survey sent to the customer on {channel_name(channel)}"
        case SurveyNotSent(channel=channel):
            return (
                f"Survey not sent: no connector sends on {channel_name(channel)} and the customer has no email "
                "address; share the link from the Outcome card"
            )
        case SurveyAnswered(score=score):
            return f"Survey answered: {score} of 5"
        case TaskOpened(title=title, team_id=team_id):
            return f"Task for {team(team_id)}: {title}"
        case TaskDone(title=title, team_id=team_id):
            return f"Task done by {team(team_id)}: {title} · tell the customer what was done"
        case TaskWaived(title=title, team_id=team_id):
            return f"Task for {team(team_id)} waived: {title}"
        case TaskReminded(title=title, team_id=team_id, notified_user_ids=told):
            people = f" · told {len(told)} {'person' if len(told) == 1 else 'people'}" if told else ""
            return f"Task for {team(team_id)} is overdue: {title}{people}"
        case CaseSlaResumed(resolve_due_at=resolve_due_at):
            due = f": resolution now due {moment(resolve_due_at)}" if resolve_due_at else ""
            return f"SLA clock resumed after waiting on the customer{due}"
        case CaseSlaEscalated(target=target, previous_priority=was, priority=now, previous_team_id=from_team):
            what = str(target).replace("_", " ")
            parts = [f"SLA breached ({what} due {moment(payload.due_at)}): escalated"]
            if now != was:
                parts.append(f"priority {_priority(was)} → {_priority(now)}")
            if payload.team_id != from_team:
                parts.append(f"moved to {team(payload.team_id)}")
            if payload.notified_user_ids:
                parts.append("told " + ", ".join(user(found) for found in payload.notified_user_ids))
            return " · ".join(parts)
    return _kind_words(kind)


def detail(payload: EventPayload | None) -> str | None:
    """The words that came with the change: a note, a reason, why routing chose what it chose."""
    match payload:
        case CaseNoteAdded(text=text):
            return _str(text)
        case CasePriorityChanged(reason=reason):
            return _str(reason)
        case CaseStatusChanged(note=note) | CaseResolved(note=note):
            return _str(note)
        case CaseRouted(reasons=reasons) if reasons:
            return "Why: " + "; ".join(reasons)
        case CaseAssigned(reason=reason) if reason:
            return "Why: " + reason
        case ResolutionRequested(reason=reason, why=why):
            return f"Reason: {reason}" + (f" · {why}" if why else "")
        case ResolutionApproved(reason=reason, note=note) | ResolutionDeclined(reason=reason, note=note):
            return f"Reason: {reason}" + (f" · Note: {note}" if _str(note) else "")
        case ResolutionApplied(reason=reason):
            return f"Reason: {reason}"
        case ReplyAwaitingApproval(reason=reason):
            return "Why: " + reason
        case ReplyApproved(note=note) | ReplyRejected(note=note) | ReplyWithdrawn(note=note):
            return _str(note)
        case ReplyFailed(error=error):
            return _str(error)
        case CaseFollowUpSet(note=note) | CaseFollowUpReturned(note=note):
            return _str(note)
        case TaskDone(note=note):
            return _str(note)
        case TaskWaived(reason=reason):
            return f"Reason: {reason}"
    return None


#: What a parked case waits for, as the follow-ups package stores it.
_WAITING_ON = {"customer": "the customer", "team": "another team", "refund": "a refund"}


def _resolution(payload: ResolutionEvent) -> str:
    return f"{payload.label}: {payload.amount} {payload.currency}"


def _kind_words(kind: str) -> str:
    return _word(kind.removeprefix("case.").replace("_", " ").replace(".", " "))


def _word(value: object) -> str:
    text = str(value or "unknown")
    return text[:1].upper() + text[1:]


def _priority(value: object) -> str:
    return priority_label(value).title() if isinstance(value, int) else "unknown"


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _names(session: Session, model: type[User] | type[Team], ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        row.id: row.name for row in session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    }
