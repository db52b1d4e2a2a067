"""Team members and assignment over JSON: what managers read and write under /api/v1/teams and /people."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ombuds.accounts.values import AssignmentPolicy, Role
from ombuds.fields import NoNul

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NoNul]


class TeamMemberRead(BaseModel):
    """A member with their load now, capacity, skills and availability."""

    user_id: int
    name: str
    email: str
    role: Role
    load: int = Field(description="open cases (new, open, pending) the person has in the brand")
    capacity: int | None = Field(
        description="most open cases automatic assignment gives them; null: no limit"
    )
    languages: list[str] = Field(description="ISO 639-1 codes; empty: any")
    channels: list[str] = Field(description="channels such as x, email; empty: any")
    categories: list[str] = Field(description="case categories; empty: any")
    away: bool
    away_since: datetime | None


class TeamMemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int = Field(gt=0, lt=2**31)


class TeamAssignmentWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignment: AssignmentPolicy


class TeamAssignmentRead(BaseModel):
    id: int
    name: str
    assignment: AssignmentPolicy


class WorkProfileWrite(BaseModel):
    """A person's capacity and skills in the brand; what is left out is cleared."""

    model_config = ConfigDict(extra="forbid")

    capacity: int | None = Field(default=None, ge=0, le=10_000)
    languages: list[Skill] = Field(default_factory=list, max_length=50)
    channels: list[Skill] = Field(default_factory=list, max_length=50)
    categories: list[Skill] = Field(default_factory=list, max_length=50)


class AvailabilityRead(BaseModel):
    user_id: int
    away: bool
    returned_case_ids: list[int] = Field(
        default_factory=list, description="cases that went back to their team's queue (or to a colleague)"
    )
