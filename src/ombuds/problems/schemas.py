"""Problems over JSON: create one, move its status, link cases, and how one reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ombuds.fields import Id, Moment, NoNul
from ombuds.problems.values import ProblemStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), NoNul]
Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NoNul]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), NoNul]
Category = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), NoNul]


class ProblemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title = Field(description='The cause, in the owning team\'s words: "refund batch job stuck"')
    owner_team_id: Id = Field(description="The team that fixes it; any team of the brand, care or not")
    case_ids: list[Id] = Field(default_factory=list, max_length=1000, description="Cases it explains")
    brand: Annotated[str, StringConstraints(max_length=100), NoNul] | None = Field(
        default=None, description="Slug of the brand; defaults to the token's brand or the selected one"
    )
    owner_id: Id | None = Field(default=None, description="The person who answers for the fix")
    expected_fix_at: Moment | None = Field(
        default=None, description="When the fix is expected (ISO 8601 with a time zone)"
    )
    fix_message: Message | None = Field(
        default=None,
        description="What each customer is told when it is fixed ({customer_name}, {case_ref} filled in)",
    )
    talking_point_id: Id | None = Field(
        default=None, description="Or the talking point whose approved wording is used"
    )
    category: Category | None = Field(
        default=None, description="The category of its messages; by default the cases' most common one"
    )
    incident_ids: list[Id] = Field(default_factory=list, max_length=100)
    promise_ids: list[Id] = Field(default_factory=list, max_length=100)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ProblemStatus = Field(description="investigating, fix_in_progress, fixed or verified")
    note: Note | None = Field(default=None, description="What was done, for the problem's history")


class CaseLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: Id


class CostRead(BaseModel):
    cases: int
    open_cases: int
    reach: int = Field(description="the audiences the customers wrote to, added up")
    debt: float = Field(description="experience debt of its unresolved cases, weighed as on the dashboards")
    days_open: int


class ProblemRead(BaseModel):
    id: int
    title: str
    status: ProblemStatus
    owner_team_id: int | None
    owner_id: int | None
    category: str | None
    expected_fix_at: datetime | None
    fix_message: str | None
    talking_point_id: int | None
    proposal_key: str | None
    case_ids: list[int]
    incident_ids: list[int]
    promise_ids: list[int]
    created_at: datetime
    confirmed_at: datetime | None
    fixed_at: datetime | None
    verified_at: datetime | None
    reopened_at: datetime | None
    customers_to_tell: int = Field(description="distinct customers of the latest fix to be told")
    customers_told: int = Field(description="of those, the ones whose message was sent")
    answered: int = Field(description="told customers who wrote after our message")
    came_back: int = Field(description="customers who wrote about the same issue after the fix")
    cost: CostRead


class StatusRead(BaseModel):
    id: int
    status: ProblemStatus
    customers_to_tell: int
    customers_told: int


class BlockedDraftRead(BaseModel):
    reply_id: int
    case_id: int
    reason: str = Field(
        description="why it cannot go now: the reply checker's blocking findings, or the problem's"
    )


class DraftsSent(BaseModel):
    sent: list[int] = Field(description="the replies put in the outbox")
    held: list[int] = Field(
        description="the replies that wait for PR's approval: the brand's policy holds them now"
    )
    blocked: list[BlockedDraftRead] = Field(
        description="the drafts not sent, with why; they stay drafts on their cases for the agents"
    )


class ProposalRead(BaseModel):
    key: str = Field(description='"category:<label>", "incident:<id>" or "promise:<id>"')
    title: str
    why: str = Field(description="the evidence, in words")
    case_ids: list[int]
    category: str | None
    incident_ids: list[int]
    promise_ids: list[int]
    suggested_owner_team_id: int | None = Field(
        description="the team holding most of its cases now, the likely owner; null when none has a team"
    )


class ProposalConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(max_length=200), NoNul]
    owner_team_id: Id
    title: Title | None = Field(default=None, description="the problem's title; the proposal's by default")


class ProposalDismiss(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(max_length=200), NoNul]
