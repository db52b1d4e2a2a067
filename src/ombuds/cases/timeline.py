"""Reads a case's history as people tell it: opened, routed and why, answered, assigned, moved, notes.

The event log holds ids; this module turns them into names and one-line summaries, and merges
them with the customer's messages in the order things happened.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.cases.models import Case
from ombuds.cases.schemas import CaseEventRead, CaseMentionRead, priority_label
from ombuds.events import Event
from ombuds.mentions.models import Mention

#: Events about one message that belong in its case's history.
MENTION_KINDS = ("enrichment.corrected",)
#: Ids in event data that name people and teams, by event kind.
_USER_KEYS: dict[str, tuple[str, ...]] = {"case.assigned": ("from", "to")}
_TEAM_KEYS: dict[str, tuple[str, ...]] = {"case.team_changed": ("from", "to"), "case.routed": ("team_id",)}


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """A message or an event, placed by when it happened."""

    kind: Literal["mention", "event"]
    at: datetime
    mention: CaseMentionRead | None = None
    event: CaseEventRead | None = None


def list_case_events(session: Session, *, case: Case) -> list[CaseEventRead]:
    """The case's events, oldest first, with the names of the people and teams they mention.

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
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    user_ids |= set(_ids(events, _USER_KEYS))
    team_ids = set(_ids(events, _TEAM_KEYS))
    users = _names(session, User, user_ids)
    teams = _names(session, Team, team_ids)
    return [
        CaseEventRead(
            id=event.id,
            kind=event.kind,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_name=users.get(event.actor_id) if event.actor_id is not None else None,
            summary=summary(event.kind, event.data, users=users, teams=teams),
            detail=detail(event.kind, event.data),
            data=dict(event.data)
            | ({"mention_id": event.subject_id} if event.subject_type == "mention" else {}),
        )
        for event in events
    ]


def merge(mentions: Sequence[CaseMentionRead], events: Sequence[CaseEventRead]) -> list[TimelineItem]:
    """Messages and events in time order; at the same moment the message comes first (it caused them)."""
    items = [TimelineItem("mention", m.created_at, mention=m) for m in mentions]
    items += [TimelineItem("event", e.occurred_at, event=e) for e in events]
    return sorted(items, key=lambda item: (item.at, item.kind != "mention"))


# --- wording --------------------------------------------------------------------------------------


def summary(
    kind: str,
    data: dict[str, Any],
    *,
    users: dict[int, str],
    teams: dict[int, str],
) -> str:
    """One line that says what happened, with names instead of ids."""

    def user(key: str) -> str:
        found = data.get(key)
        return users.get(found, f"user {found}") if isinstance(found, int) else "nobody"

    def team(key: str) -> str:
        found = data.get(key)
        return teams.get(found, f"team {found}") if isinstance(found, int) else "no team"

    if kind == "case.opened":
        return "Case opened"
    if kind == "case.routed":
        routed = f"Routed to {team('team_id')}"
        priority = data.get("priority")
        return (
            f"{routed} · {priority_label(priority).title()} priority" if isinstance(priority, int) else routed
        )
    if kind == "case.first_response":
        return "First response sent"
    if kind == "case.assigned":
        if data.get("to") is None:
            return f"Unassigned (was {user('from')})"
        return f"Assigned to {user('to')}" + (f" (was {user('from')})" if data.get("from") else "")
    if kind == "case.team_changed":
        return f"Moved to {team('to')}" + (f" (from {team('from')})" if data.get("from") else "")
    if kind == "case.status_changed":
        return f"Status {_word(data.get('from'))} → {_word(data.get('to'))}"
    if kind == "case.resolved":
        return "Resolved"
    if kind == "case.priority_changed":
        return f"Priority {_priority(data.get('from'))} → {_priority(data.get('to'))}"
    if kind == "case.note_added":
        return "Internal note"
    if kind == "enrichment.corrected":
        corrected = f"{_word(data.get('analyzer'))} of a message corrected to {_word(data.get('label'))}"
        return corrected + (f" (was {_word(data['previous'])})" if data.get("previous") else "")
    return _word(kind.removeprefix("case.").replace("_", " ").replace(".", " "))


def detail(kind: str, data: dict[str, Any]) -> str | None:
    """The words that came with the change: a note, a reason, why routing chose what it chose."""
    if kind == "case.note_added":
        return _str(data.get("text"))
    if kind == "case.priority_changed":
        return _str(data.get("reason"))
    if kind in ("case.status_changed", "case.resolved"):
        return _str(data.get("note"))
    if kind == "case.routed":
        reasons = data.get("reasons")
        if isinstance(reasons, list) and reasons:
            return "Why: " + "; ".join(str(reason) for reason in reasons)
    return None


def _word(value: object) -> str:
    text = str(value or "unknown")
    return text[:1].upper() + text[1:]


def _priority(value: object) -> str:
    return priority_label(value).title() if isinstance(value, int) else "unknown"


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _ids(events: Iterable[Event], keys_by_kind: dict[str, tuple[str, ...]]) -> Iterable[int]:
    for event in events:
        for key in keys_by_kind.get(event.kind, ()):
            value = event.data.get(key)
            if isinstance(value, int):
                yield value


def _names(session: Session, model: type[User] | type[Team], ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        row.id: row.name for row in session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    }
