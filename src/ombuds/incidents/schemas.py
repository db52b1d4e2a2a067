"""Pydantic shapes of incidents as the API, the pages and ``ombuds replay`` show them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ombuds.fields import Id, NoNul
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import AlertKind, AlertStatus, IncidentStatus

#: The longest incident title and note, the same on the page forms and through the API.
TITLE_MAX_CHARS = 300
NOTE_MAX_CHARS = 5000


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IncidentRead(_Read):
    """An incident with its live counts."""

    id: int
    brand_id: int
    status: IncidentStatus
    severity: Severity
    signal: str
    key: str
    title: str
    representative_text: str
    representative_mention_id: int | None
    owner_id: int | None
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    first_mention_at: datetime | None
    last_mention_at: datetime | None
    mention_count: int
    author_count: int
    negative_count: int
    reach: int
    signals: list[str]
    evidence: dict[str, Any] = Field(default_factory=dict)
    merged_into_id: int | None = Field(default=None, description="The incident this one was merged into.")


class IncidentList(BaseModel):
    incidents: list[IncidentRead]


class IncidentFigures(BaseModel):
    """The post-incident summary: how big, how far, how angry, how long, and who still waits."""

    mention_count: int
    author_count: int
    reach: int = Field(description="Followers of the distinct authors, where the channel tells them.")
    engagement: int = Field(description="Shares and replies the linked mentions had when they came in.")
    sentiment: dict[str, int] = Field(description="Linked mentions per sentiment label.")
    first_mention_at: datetime | None
    last_mention_at: datetime | None
    duration_minutes: float | None
    affected_customers: int = Field(description="Distinct customers behind the linked mentions and cases.")
    customers_with_open_case: int = Field(description="Affected customers who still have an open case.")
    case_count: int
    open_case_count: int


class SeriesPoint(BaseModel):
    """Linked mentions in one time bucket, by sentiment."""

    start: datetime
    total: int
    negative: int
    neutral: int
    positive: int


class TimelineEntry(BaseModel):
    kind: str
    occurred_at: datetime
    actor_id: int | None
    actor_name: str | None
    data: dict[str, Any]


class IncidentMentionRead(BaseModel):
    id: int
    created_at: datetime
    author_handle: str
    author_followers: int | None
    text: str
    url: str | None
    sentiment: str | None
    case_id: int | None


class IncidentCaseRead(BaseModel):
    id: int
    subject: str
    status: str
    customer_id: int
    customer_name: str
    linked_by_hand: bool


class IncidentDetail(IncidentRead):
    figures: IncidentFigures
    series: list[SeriesPoint]
    timeline: list[TimelineEntry]


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS), NoNul
    ]
    severity: Severity = Severity.MEDIUM
    mention_ids: list[Id] = Field(default_factory=list, max_length=1000)


class TitleUpdate(BaseModel):
    """A person's title for the incident; the detectors stop refreshing it from then on."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS), NoNul
    ]


class MergeInto(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: Id = Field(description="The open incident of the same event this one goes into.")


class StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: IncidentStatus


class OwnerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    owner_id: Id | None


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX_CHARS), NoNul
    ]


class CaseLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: Id


class BulkActionCreate(BaseModel):
    """One change for every open case of the incident; only the fields its ``action`` needs are read."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["team", "priority", "assign", "resolve"]
    team_id: Id | None = Field(default=None, description="With `team`: the brand's team the cases move to.")
    priority: int | None = Field(default=None, ge=1, le=4, description="With `priority`: 1 urgent … 4 low.")
    assignee_id: Id | None = Field(
        default=None, description="With `assign`: the person, or null to unassign."
    )
    note: Annotated[str, StringConstraints(max_length=NOTE_MAX_CHARS), NoNul] = Field(
        default="",
        description="The reason for a priority (optional); what was done, to `resolve` (required).",
    )


class BulkRefusal(BaseModel):
    case_id: int
    reason: str


class BulkActionRead(BaseModel):
    """What a bulk action came to, case by case."""

    action: str
    detail: str = Field(description="The action in words, as the incident's timeline shows it.")
    open_cases: int = Field(description="Open cases of the incident when the action ran.")
    changed: list[int]
    unchanged: list[int] = Field(description="Open cases that were already as asked.")
    refused: list[BulkRefusal] = Field(description="Cases the change could not apply to, with the reason.")


class AlertRead(_Read):
    id: int
    incident_id: int
    kind: AlertKind
    reason: str
    severity: Severity
    status: AlertStatus
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None
    payload: dict[str, Any]


class ReplayIncident(BaseModel):
    """One incident as ``ombuds replay --json`` prints it (a contract checked by machines)."""

    brand: str
    opened_at: str = Field(description="ISO 8601 with offset")
    signal: str
    severity: str
    mention_count: int
    representative_text: str
