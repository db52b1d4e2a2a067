"""The inbox's bulk changes and saved views over JSON."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ombuds.fields import Id, NoNul, WholeNumber
from ombuds.inbox.bulk import MAX_CASES
from ombuds.inbox.values import NAME_MAX_CHARS, QUERY_MAX_CHARS, BulkAction


class BulkRequest(BaseModel):
    """One change to many cases of the caller's brand; only the fields the action needs are read."""

    model_config = ConfigDict(extra="forbid")

    case_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_CASES)]
    action: BulkAction = Field(
        description="assign (assignee_id, null for nobody), team (team_id), priority (priority, reason), "
        "resolve (note), incident (incident_id)"
    )
    assignee_id: Id | None = None
    team_id: Id | None = None
    priority: Annotated[WholeNumber, Interval(ge=1, le=4)] | None = Field(
        default=None, description="1 urgent … 4 low"
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul] = ""
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NoNul] = ""
    incident_id: Id | None = None


class BulkResult(BaseModel):
    """Which cases changed, which already were so, which were not changed and why, and one line for people."""

    changed: list[int]
    unchanged: list[int]
    refused: dict[str, str] = Field(description="case id → why it was not changed")
    summary: str


class SavedViewCreate(BaseModel):
    """A name and an inbox query (``status``, ``team``, ``assignee``, ``sla``, ``priority``, ``sort``, ``q``)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX_CHARS), NoNul
    ]
    query: Annotated[str, StringConstraints(strip_whitespace=True, max_length=QUERY_MAX_CHARS), NoNul] = (
        Field(default="", examples=["assignee=me&priority=1", "team=3&sla=at_risk&sort=sla"])
    )
    team_id: Id | None = Field(default=None, description="share with this team; none keeps it for yourself")


class SavedViewRead(BaseModel):
    """A saved view with how many open cases it holds now."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    query: str
    team_id: int | None
    shared: bool
    url: str = Field(description="the inbox showing this view")
    count: int = Field(description="open cases in the view now")
