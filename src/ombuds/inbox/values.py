"""What a saved view or an inbox address asks for, read from its query string. Pure: no ORM, no web."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlencode

from ombuds.cases.values import OPEN_STATUSES, CaseStatus, InboxSort, Priority

#: The inbox parameters a view keeps; anything else in a saved query is dropped.
KEPT = ("status", "team", "assignee", "sla", "replies", "priority", "sort", "q")
#: The parameters that narrow the inbox to the cases another package picks (``web.panels``):
#: ``?sla=at_risk`` asks the narrowing named "sla:at_risk".
NARROWED_BY = ("sla", "replies")
QUERY_MAX_CHARS = 1000
NAME_MAX_CHARS = 80
ME = "me"
NOBODY = "none"
NO_TEAM = "none"


class BulkAction(StrEnum):
    """What one bulk request does to every case it names."""

    ASSIGN = "assign"
    TEAM = "team"
    PRIORITY = "priority"
    RESOLVE = "resolve"
    INCIDENT = "incident"


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """The inbox's filters and order as plain values (a team or user is an id, "me" is resolved later)."""

    status: CaseStatus | None = None
    team_id: int | None = None
    without_team: bool = False
    assignee_me: bool = False
    without_assignee: bool = False
    sla: str = ""
    replies: str = ""
    priority: Priority | None = None
    sort: InboxSort = InboxSort.PRIORITY
    q: str = ""

    def narrowings(self) -> list[str]:
        """The narrowings it asks for, by name ("sla:at_risk", "replies:to_post")."""
        return [f"{key}:{value}" for key in NARROWED_BY if (value := getattr(self, key))]


def _one(values: dict[str, list[str]], key: str) -> str:
    found = values.get(key) or [""]
    return found[-1].strip()


def clean_query(query: str) -> str:
    """The inbox parameters of ``query`` (a leading "?" or "/inbox?" allowed), in a fixed order."""
    text = query.strip()
    text = text.split("?", 1)[1] if "?" in text else text
    values = parse_qs(text, keep_blank_values=False)
    return urlencode([(key, _one(values, key)) for key in KEPT if _one(values, key)])


def parse_filter(query: str) -> InboxFilter:
    """The filter a query string asks for; values that mean nothing are ignored, as the inbox does."""
    values = parse_qs(clean_query(query))
    status = _one(values, "status")
    team = _one(values, "team")
    assignee = _one(values, "assignee")
    priority = _one(values, "priority")
    sort = _one(values, "sort")
    return InboxFilter(
        status=next((s for s in OPEN_STATUSES if s.value == status), None),
        team_id=int(team) if team.isascii() and team.isdigit() and len(team) < 10 else None,
        without_team=team == NO_TEAM,
        assignee_me=assignee == ME,
        without_assignee=assignee == NOBODY,
        sla=_one(values, "sla"),
        replies=_one(values, "replies"),
        priority=next((p for p in Priority if str(int(p)) == priority or p.name.lower() == priority), None),
        sort=next((s for s in InboxSort if s.value == sort), InboxSort.PRIORITY),
        q=_one(values, "q"),
    )
