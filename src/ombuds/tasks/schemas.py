"""Tasks and teams over JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ombuds.cases.schemas import TaskRead as TaskRead  # one shape for a task, in every answer
from ombuds.fields import Id, Moment, NoNul

TITLE_MAX_CHARS = 200
TEXT_MAX_CHARS = 5000

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS), NoNul
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=TEXT_MAX_CHARS), NoNul]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: Id
    title: Title
    description: LongText = ""
    due_at: Moment | None = Field(
        default=None,
        description="ISO 8601 with a time zone. For the end of a day where the brand is (what the case"
        " page's date field means), give that moment: 2026-12-04T23:59:59.999999-08:00 in Los Angeles.",
    )
    assignee_id: Id | None = Field(default=None, description="A person of the team's brand, optional.")


class TaskStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "waived"]
    note: LongText = Field(default="", description="What was done; for a waiver, the reason (required).")
