"""Follow-ups over JSON: park a case until a date, plan a check-in, and how one reads back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ombuds.fields import Text
from ombuds.followups.values import FollowUpKind, Outcome, WaitingOn


class PendingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: datetime = Field(description="When the case comes back to its owner (ISO 8601 with a time zone)")
    reason: WaitingOn = Field(description="What the case waits on: customer, team or refund")
    note: Text = Field(default="", max_length=500, description="What exactly, for whoever picks it up")


class CheckInCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime = Field(
        description="When the resolved case reopens as a reminder (ISO 8601 with a time zone)"
    )
    note: Text = Field(max_length=500, description='What to ask, such as "is the new card working?"')


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    kind: FollowUpKind
    reason: WaitingOn | None = Field(validation_alias="waiting_on")
    note: str
    due_at: datetime
    created_at: datetime
    done_at: datetime | None
    outcome: Outcome | None
