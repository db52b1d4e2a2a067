"""Pydantic shapes of replies and the reply checker's answer, as the API takes and gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ombuds.fields import Id, NoNul
from ombuds.responses.models import ReplyStatus
from ombuds.responses.values import Visibility

ReplyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000), NoNul]
DecisionNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000), NoNul]


class FindingRead(BaseModel):
    """One thing the checker noticed; ``start:end`` are offsets into the reply (``0:0``: the whole reply)."""

    code: str
    severity: str
    message: str
    start: int
    end: int


class ReplyCheck(BaseModel):
    case_id: Id
    text: Annotated[str, StringConstraints(max_length=50_000), NoNul]
    visibility: Visibility = Visibility.PUBLIC


class CheckRead(BaseModel):
    findings: list[FindingRead]
    #: the longest reply the channel takes for this visibility; None when it has no limit
    limit: int | None = None
    #: the text as it goes out, with {customer_name} and {case_ref} filled in
    text: str = ""


class ReplyCreate(BaseModel):
    text: ReplyText
    visibility: Visibility = Visibility.PUBLIC
    #: the short public closing reply after a case solved in private
    is_public_closing: bool = False


class AcknowledgeThenPrivate(BaseModel):
    public_text: ReplyText
    private_text: ReplyText


class ReplyApprove(BaseModel):
    note: DecisionNote = ""
    #: the approver's edited wording; the reply is checked again
    text: ReplyText | None = None


class ReplyPosted(BaseModel):
    #: the posted message's id on its channel, or a link to it (its last part is the id): the
    #: customer's answers to it then join the case
    external_id: Annotated[str, StringConstraints(max_length=2_000), NoNul] | None = None


class ReplyReject(BaseModel):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000), NoNul]


class ReplyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    visibility: Visibility
    channel: str
    text: str
    status: ReplyStatus
    findings: list[dict[str, Any]]
    needs_approval: str | None
    author_id: int | None
    approver_id: int | None
    decision_note: str | None
    decided_at: datetime | None
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    external_id: str | None
    is_manual: bool
    mention_id: int | None
    is_public_closing: bool
    created_at: datetime


class ApprovalPolicyRead(BaseModel):
    """Which public replies of the brand wait for PR: each switch on holds the replies it names."""

    model_config = ConfigDict(from_attributes=True)

    #: replies on priority-1 (urgent) cases
    on_priority_1: bool
    #: replies to a customer the analysis marks as writing for the media
    on_media_author: bool
    #: replies on a case linked to an active incident
    on_active_incident: bool


class ApprovalPolicyWrite(ApprovalPolicyRead):
    model_config = ConfigDict(extra="forbid")


class IncidentReplies(BaseModel):
    """Reply to every open case of an incident with its current holding statement."""

    model_config = ConfigDict(extra="forbid")
    visibility: Visibility = Visibility.PUBLIC


class IncidentRepliesRead(BaseModel):
    """What replying to an incident's open cases came to, case by case."""

    open_cases: int
    replied: list[int] = Field(description="Cases that got the reply (queued, or held for approval).")
    held: list[int] = Field(description="Of those, the cases whose reply waits for PR's approval.")
    already_replied: list[int] = Field(description="Cases that had this reply already; left alone.")
    refused: dict[int, str] = Field(description="Cases the checker refused the reply on, with why.")
