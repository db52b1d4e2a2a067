"""A customer over JSON: who they are on every channel, and everything they wrote the brand."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ombuds.cases.values import CaseStatus
from ombuds.fields import Id


class CustomerIdentityRead(BaseModel):
    channel: str
    handle: str
    followers: int | None = None


class CustomerCaseRead(BaseModel):
    id: int
    subject: str
    status: CaseStatus
    opened_at: datetime


class CustomerMentionRead(BaseModel):
    id: int
    case_id: int | None
    channel: str
    direction: str
    is_public: bool
    text: str
    created_at: datetime


class CustomerSurveyRead(BaseModel):
    case_id: int
    score: int | None
    comment: str | None
    answered_at: datetime | None


class CustomerNoteRead(BaseModel):
    case_id: int
    text: str
    occurred_at: datetime


class CustomerProfileRead(BaseModel):
    id: int
    brand_id: int
    name: str
    identities: list[CustomerIdentityRead]
    case_ids: list[int] = Field(description="Every case of the customer, newest first.")
    reach: int | None = Field(description="The largest audience among the customer's identities.")
    cases: list[CustomerCaseRead]
    mentions: list[CustomerMentionRead] = Field(
        description="Every message, theirs and the brand's, oldest first."
    )
    surveys: list[CustomerSurveyRead]
    notes: list[CustomerNoteRead] = Field(
        description="Colleagues' notes on the customer's cases, oldest first."
    )
    merges: list[int] = Field(
        default_factory=list, description="Ids of `customer.merged` events that can be undone, newest first."
    )


class CustomerMerge(BaseModel):
    other_id: Id = Field(description="The customer to fold into this one; its id then answers 404.")


class CaseMerge(BaseModel):
    other_id: Id = Field(description="The case to fold into this one; it is resolved as a duplicate.")
