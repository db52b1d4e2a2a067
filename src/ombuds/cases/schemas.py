"""Pydantic shapes of cases as the API and the pages show them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field

from ombuds.cases.models import CaseStatus, Priority
from ombuds.cases.tasks import TaskStatus
from ombuds.cases.values import ResolvedAs
from ombuds.fields import Id, NoNul, WholeNumber
from ombuds.mentions.models import Direction
from ombuds.surveys.schemas import CsatRead

OpenStatus = Literal["new", "open", "pending"]


def priority_label(priority: int) -> str:
    try:
        return Priority(priority).name.lower()
    except ValueError:
        return str(priority)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EnrichmentRead(_Read):
    """One analyzer's finding on a mention, stamped with the model version that made it."""

    analyzer: str
    model_version: str
    label: str | None
    score: float | None
    data: dict[str, Any] = Field(default_factory=dict)


class CustomerRef(_Read):
    id: int
    display_name: str


class IdentityRead(_Read):
    channel: str
    handle: str
    followers: int | None


class CustomerRead(CustomerRef):
    identities: list[IdentityRead]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reach(self) -> int | None:
        """The largest audience among the customer's identities: how far a complaint can travel."""
        counts = [identity.followers for identity in self.identities if identity.followers is not None]
        return max(counts) if counts else None


class LatestMentionRead(_Read):
    """The customer's most recent message in a case, for the inbox's preview and mood."""

    id: int
    text: str
    created_at: datetime
    sentiment: EnrichmentRead | None


class CaseRead(_Read):
    """A case as listed in the inbox."""

    id: int
    brand_id: int
    subject: str
    channel: str
    status: CaseStatus
    priority: int = Field(description="1 = urgent … 4 = low; lower sorts first")
    team_id: int | None
    team_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    customer: CustomerRef
    opened_at: datetime
    last_activity_at: datetime
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    resolve_due_at: datetime | None
    next_response_due_at: datetime | None = Field(
        default=None,
        description="While the customer, answered before, waits for our next reply: when it is due "
        "(kept by the runner's SLA round, a few seconds behind the messages)",
    )
    resolved_at: datetime | None
    returned_at: datetime | None = Field(
        default=None,
        description="When a follow-up brought the case back (it tops the inbox until its status changes)",
    )
    mention_count: int
    latest_mention: LatestMentionRead | None
    sentiment: EnrichmentRead | None = Field(
        default=None,
        description="the case's mood over all its customer's messages (later ones weigh more, a neutral "
        "nudge does not dilute a complaint, the brand's replies never count); data.messages says how many",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def customer_id(self) -> int:
        """The customer's id (``GET /api/v1/customers/{id}``), beside the customer it names."""
        return self.customer.id

    @computed_field  # type: ignore[prop-decorator]
    @property
    def priority_label(self) -> str:
        return priority_label(self.priority)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sla_due_at(self) -> datetime | None:
        """The next deadline: the first response until someone answers; then the next response
        while the customer waits for one, unless the resolution is due first; else the resolution."""
        if self.resolved_at is not None:
            return None
        if self.first_responded_at is None and self.first_response_due_at is not None:
            return self.first_response_due_at
        waiting, resolve = self.next_response_due_at, self.resolve_due_at
        if waiting is not None and (resolve is None or waiting < resolve):
            return waiting
        return resolve


class CaseList(BaseModel):
    """One page of a brand's open cases, most urgent first, then oldest first."""

    brand: str = Field(description="slug of the brand listed")
    total: int
    limit: int
    offset: int
    status_counts: dict[str, int] = Field(description="open cases per status, before the status filter")
    items: list[CaseRead]


class TextSegment(BaseModel):
    """A piece of a message's text: plain, evidence of signals, personal data, or a mask in its place."""

    text: str
    signals: list[str] = Field(default_factory=list, description="signals this piece is evidence of")
    pii: str | None = Field(default=None, description="the kind of personal data, e.g. email, card_number")
    masked: bool = Field(default=False, description="true when `text` is a mask such as [email]")


class CaseMentionRead(_Read):
    """A message in a case, with what analysis found in it."""

    id: int
    external_id: str
    channel: str
    direction: Direction
    is_public: bool
    author_handle: str
    author_name: str | None
    author_followers: int | None
    author_bio: str | None = Field(
        default=None, description="The author's profile text, where the channel gives one."
    )
    text: str
    url: str | None
    created_at: datetime
    enrichments: list[EnrichmentRead]
    segments: list[TextSegment] = Field(
        default_factory=list, description="`text` in pieces, for marking signal evidence and personal data"
    )


class CaseSummaryRead(_Read):
    """Another case of the same customer, for context."""

    id: int
    subject: str
    status: CaseStatus
    opened_at: datetime


class TaskRead(BaseModel):
    """A task asked of another team (``ombuds.tasks``); here because the case's own answer lists them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    team_id: int
    assignee_id: int | None
    title: str
    description: str
    status: TaskStatus
    due_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    note: str | None


class DraftRead(BaseModel):
    """A reply waiting to go out that the desk wrote for the agent."""

    id: int
    text: str
    status: str


class CaseDetailRead(CaseRead):
    """A case with its customer, its messages in time order, and the customer's other cases."""

    customer: CustomerRead
    mentions: list[CaseMentionRead]
    other_cases: list[CaseSummaryRead]
    pii_masked: bool = Field(
        default=False, description="personal data in texts is masked, because the caller's role is viewer"
    )
    survey_url: str | None = Field(
        default=None, description="the customer's satisfaction survey (no sign-in); null until resolved"
    )
    csat: CsatRead | None = Field(default=None, description="the customer's answer to the survey, once given")
    first_contact_resolution: bool | None = Field(
        default=None,
        description="resolved with one reply exchange, no handoff, no reopen within 7 days; null until resolved",
    )
    handoffs: int = Field(default=0, description="changes of owner or team between people or teams")
    reopened: int = Field(default=0, description="times the case was reopened after being resolved")
    first_response_business_seconds: int | None = Field(
        default=None,
        description="business time from opening to the first response, by the brand's SLA hours and "
        "holidays, pending time left out; null until answered (filled in by the runner)",
    )
    resolution_business_seconds: int | None = Field(
        default=None,
        description="business time from opening to resolution, pending and earlier resolved time left "
        "out; null until resolved (filled in by the runner)",
    )
    tasks: list[TaskRead] = Field(
        default_factory=list, description="the tasks asked of other teams for this case, oldest first"
    )
    problem_id: int | None = Field(
        default=None, description="the problem (a cause behind many cases) it is linked to"
    )
    drafts: list[DraftRead] = Field(
        default_factory=list,
        description="replies written for the agent (a fixed problem's message) not yet sent: status draft "
        "(the agent sends it) or awaiting_approval (PR approves it first), oldest first",
    )


# --- case work: what agents change, and the case's timeline ---------------------------------------

NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), NoNul]


class AssigneeUpdate(BaseModel):
    """Give the case to a person of its brand (not a viewer), or to nobody with ``null``."""

    assignee_id: Id | None = Field(description="id of a user of the case's brand; null unassigns")


class TeamUpdate(BaseModel):
    """Move the case to another team of the same brand."""

    team_id: Id


class StatusUpdate(BaseModel):
    """new → open → pending → resolved → closed; ``open`` reopens a resolved or closed case.

    Closing an unresolved case resolves it first (two events). A case is parked (pending) with the
    date it comes back, through ``POST /cases/{id}/pending``.
    """

    status: CaseStatus
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NoNul] = Field(
        default="", description="optional: what was done, kept with the status change"
    )
    resolved_as: ResolvedAs | None = Field(
        default=None,
        description="optional, with resolved or closed: spam or duplicate sends the customer no survey",
    )


class PriorityUpdate(BaseModel):
    """A new priority and why, so colleagues see the reason in the timeline."""

    priority: Annotated[WholeNumber, Interval(ge=1, le=4)] = Field(description="1 = urgent … 4 = low")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul]


class NoteCreate(BaseModel):
    """An internal note: colleagues see it, the customer never does."""

    text: NoteText


class CaseEventRead(_Read):
    """One entry of a case's timeline: what happened, who did it, when."""

    id: int
    kind: str = Field(description="e.g. case.opened, case.routed, case.assigned, case.note_added")
    occurred_at: datetime
    actor_id: int | None = Field(description="the user who made the change; null for the pipeline")
    actor_name: str | None
    summary: str = Field(description="one line for people, e.g. 'Assigned to Ada Agent'")
    detail: str | None = Field(
        default=None, description="a note's text, a priority's reason, routing reasons"
    )
    data: dict[str, Any] = Field(default_factory=dict)


class MentionCorrection(BaseModel):
    """What a message really is, in a person's judgement; omitted or empty fields stay as they are.

    Each changed label is stored with the actor as a labeled example, shows on the message at
    once, and retrains the brand's model for that analyzer.
    """

    sentiment: Literal["negative", "neutral", "positive"] | None = None
    intent: Literal["complaint", "question", "praise", "suggestion", "other"] | None = None
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul] | None = Field(
        default=None, description="one of the brand's categories, or a new one"
    )
