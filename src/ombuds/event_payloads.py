"""Event kinds and the typed payloads of the events read back (a case's history).

Writers build a payload and pass it to ``events.record_event``, which stores its kind and its
``to_data()``; readers turn a stored row back with ``parse_payload``, which says which event is
malformed and how instead of failing later on a missing key. Kinds no longer written (such as
``case.resolved``, from before every status change logged ``case.status_changed``) keep their
payload type so old rows still read. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EventKind(StrEnum):
    """Every kind of event the application writes (and those it wrote once and still reads)."""

    BRAND_CREATED = "brand.created"
    BRAND_RENAMED = "brand.renamed"
    TEAM_CREATED = "team.created"
    TEAM_RENAMED = "team.renamed"
    TEAM_ARCHIVED = "team.archived"
    USER_DEACTIVATED = "user.deactivated"
    TEAM_MEMBER_ADDED = "team_member.added"
    TEAM_MEMBER_REMOVED = "team_member.removed"
    TEAM_ASSIGNMENT_CHANGED = "team.assignment_changed"
    WORK_PROFILE_CHANGED = "membership.work_profile_changed"
    PERSON_AWAY = "membership.away"
    PERSON_BACK = "membership.back"
    MEMBERSHIP_ADDED = "membership.added"
    ROLE_CHANGED = "membership.role_changed"
    INVITE_CREATED = "invite.created"
    INVITE_ACCEPTED = "invite.accepted"
    INVITE_REVOKED = "invite.revoked"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    SOURCE_CREATED = "source.created"
    SOURCE_PAUSED = "source.paused"
    SOURCE_RESUMED = "source.resumed"
    DEAD_LETTER_RETRIED = "dead_letter.retried"
    DEAD_LETTER_DISCARDED = "dead_letter.discarded"
    DIGEST_SCHEDULED = "digest.scheduled"
    DIGEST_UNSCHEDULED = "digest.unscheduled"
    MENTIONS_INGESTED = "mentions.ingested"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_MERGED = "customer.merged"
    CUSTOMER_UNMERGED = "customer.unmerged"
    CASE_MERGED = "case.merged"
    CASE_UNMERGED = "case.unmerged"
    CASE_OPENED = "case.opened"
    CASE_FIRST_RESPONSE = "case.first_response"
    CASE_ROUTED = "case.routed"
    CASE_ASSIGNED = "case.assigned"
    CASE_TEAM_CHANGED = "case.team_changed"
    CASE_STATUS_CHANGED = "case.status_changed"
    CASE_RESOLVED = "case.resolved"  # written by earlier versions only; read on old timelines
    CASE_PRIORITY_CHANGED = "case.priority_changed"
    CASE_NOTE_ADDED = "case.note_added"
    ENRICHMENT_CORRECTED = "enrichment.corrected"
    ENRICHMENT_REREAD = "enrichment.reread"  # the accurate model re-read a burst's message
    BRAND_MODEL_TRAINED = "brand_model.trained"
    ROUTING_RULE_CREATED = "routing_rule.created"
    ROUTING_RULE_CHANGED = "routing_rule.changed"
    ROUTING_RULES_REORDERED = "routing_rule.reordered"
    PIPELINE_FAILED = "pipeline.failed"
    PIPELINE_RETRIED = "pipeline.retried"  # an operator sent a failed mention back to its stage
    RESOLUTION_APPLIED = "resolution.applied"
    RESOLUTION_REQUESTED = "resolution.requested"
    RESOLUTION_APPROVED = "resolution.approved"
    RESOLUTION_DECLINED = "resolution.declined"
    RESOLUTION_OPTION_SAVED = "resolution_option.saved"
    TALKING_POINT_WRITTEN = "talking_point.written"
    TALKING_POINT_WITHDRAWN = "talking_point.withdrawn"
    REPLY_TEMPLATE_SAVED = "reply_template.saved"
    REPLY_TEMPLATE_RETIRED = "reply_template.retired"
    NEWS_ITEM_SAVED = "news_item.saved"
    NEWS_ITEM_DELETED = "news_item.deleted"
    REPLY_AWAITING_APPROVAL = "reply.awaiting_approval"
    REPLY_APPROVED = "reply.approved"
    REPLY_REJECTED = "reply.rejected"
    REPLY_WITHDRAWN = "reply.withdrawn"
    REPLY_TO_POST = "reply.to_post"
    REPLY_SENT = "reply.sent"
    REPLY_FAILED = "reply.failed"
    REPLY_APPROVAL_POLICY_CHANGED = "reply_approval_policy.changed"
    SLA_POLICY_CHANGED = "sla_policy.changed"
    CASE_SLA_RESUMED = "case.sla_resumed"
    CASE_SLA_ESCALATED = "case.sla_escalated"
    SURVEY_ANSWERED = "survey.answered"
    SURVEY_SENT = "survey.sent"
    SURVEY_NOT_SENT = "survey.not_sent"
    CLOSING_SETTINGS_CHANGED = "closing_settings.changed"
    CASE_FOLLOW_UP_SET = "case.follow_up_set"
    CASE_FOLLOW_UP_RETURNED = "case.follow_up_returned"
    TASK_OPENED = "task.opened"
    TASK_DONE = "task.done"
    TASK_WAIVED = "task.waived"
    TASK_REMINDED = "task.reminded"
    PROBLEM_CREATED = "problem.created"
    PROBLEM_CASE_LINKED = "problem.case_linked"
    PROBLEM_CASE_UNLINKED = "problem.case_unlinked"
    PROBLEM_STATUS_CHANGED = "problem.status_changed"
    PROBLEM_UPDATED = "problem.updated"  # its title, fix message or expected fix date
    PROBLEM_REOPENED = "problem.reopened"  # a customer came back with the issue after the fix
    PROBLEM_PROPOSAL_DISMISSED = "problem.proposal_dismissed"


class EventPayloadError(ValueError):
    """A stored event's data does not have the shape its kind's writer stores."""


class EventPayload(BaseModel):
    """What one kind of event records besides who and when. Unknown keys are ignored."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True, extra="ignore")

    kind: ClassVar[EventKind]

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class CaseOpened(EventPayload):
    kind: ClassVar[EventKind] = EventKind.CASE_OPENED
    mention_id: int


class CaseFirstResponse(EventPayload):
    kind: ClassVar[EventKind] = EventKind.CASE_FIRST_RESPONSE
    mention_id: int


class CaseRouted(EventPayload):
    """Routing's decision for one mention; ``reasons`` say why (rules matched, signals seen)."""

    kind: ClassVar[EventKind] = EventKind.CASE_ROUTED
    priority: int | None = None
    team_id: int | None = None
    reasons: tuple[str, ...] = ()
    mention_id: int | None = None  # absent in rows from before reruns were guarded


class ChangeByPerson(EventPayload):
    """A change a person made; ``api_token_id`` when they made it through the API."""

    api_token_id: int | None = None

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        if data.get("api_token_id") is None:
            data.pop("api_token_id", None)
        return data


class CaseAssigned(ChangeByPerson):
    kind: ClassVar[EventKind] = EventKind.CASE_ASSIGNED
    previous: int | None = Field(default=None, alias="from")
    assignee: int | None = Field(default=None, alias="to")  # None: unassigned
    #: why the desk moved it itself ("round robin", "the owner is away"); None for a person's change
    reason: str | None = None

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        if data.get("reason") is None:
            data.pop("reason", None)
        return data


class CaseTeamChanged(ChangeByPerson):
    kind: ClassVar[EventKind] = EventKind.CASE_TEAM_CHANGED
    previous: int | None = Field(default=None, alias="from")
    team: int = Field(alias="to")


class CaseStatusChanged(ChangeByPerson):
    kind: ClassVar[EventKind] = EventKind.CASE_STATUS_CHANGED
    previous: str = Field(alias="from")
    status: str = Field(alias="to")
    note: str | None = None
    #: with a resolution: "spam" or "duplicate" (no survey is sent); None for a solved problem
    resolved_as: str | None = None

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        for optional in ("note", "resolved_as"):
            if not data.get(optional):
                data.pop(optional, None)
        return data


class CaseResolved(EventPayload):
    """Read only: how earlier versions logged the demo's resolve."""

    kind: ClassVar[EventKind] = EventKind.CASE_RESOLVED
    note: str | None = None


class CasePriorityChanged(ChangeByPerson):
    kind: ClassVar[EventKind] = EventKind.CASE_PRIORITY_CHANGED
    previous: int = Field(alias="from")
    priority: int = Field(alias="to")
    reason: str | None = None


class CaseNoteAdded(ChangeByPerson):
    kind: ClassVar[EventKind] = EventKind.CASE_NOTE_ADDED
    text: str


class EnrichmentCorrected(EventPayload):
    """A person corrected one analyzer's label of a message."""

    kind: ClassVar[EventKind] = EventKind.ENRICHMENT_CORRECTED
    analyzer: str
    label: str
    previous: str | None = None


class EnrichmentReread(EventPayload):
    """The accurate model re-read a message the fast path had read in a burst, and labels changed.

    ``labels`` and ``previous`` map each analyzer whose label changed to its label after and before.
    """

    kind: ClassVar[EventKind] = EventKind.ENRICHMENT_REREAD
    model_version: str
    previous_version: str
    labels: dict[str, str | None]
    previous: dict[str, str | None]


class ResolutionEvent(ChangeByPerson):
    """A resolution given, asked for or decided on the case: what, how much, and why."""

    resolution_id: int
    option_id: int
    label: str
    amount: str  # exact decimal, as text
    currency: str
    reason: str


class ResolutionApplied(ResolutionEvent):
    kind: ClassVar[EventKind] = EventKind.RESOLUTION_APPLIED


class ResolutionRequested(ResolutionEvent):
    """Above the requester's limit: it waits for a manager; ``why`` says which limit."""

    kind: ClassVar[EventKind] = EventKind.RESOLUTION_REQUESTED
    why: str = ""


class ResolutionApproved(ResolutionEvent):
    kind: ClassVar[EventKind] = EventKind.RESOLUTION_APPROVED
    note: str | None = None


class ResolutionDeclined(ResolutionEvent):
    kind: ClassVar[EventKind] = EventKind.RESOLUTION_DECLINED
    note: str | None = None


class ReplyEvent(ChangeByPerson):
    """Something that happened to one reply on the case (kept on the case's own timeline)."""

    reply_id: int
    visibility: str


class ReplyAwaitingApproval(ReplyEvent):
    kind: ClassVar[EventKind] = EventKind.REPLY_AWAITING_APPROVAL
    reason: str


class ReplyApproved(ReplyEvent):
    kind: ClassVar[EventKind] = EventKind.REPLY_APPROVED
    note: str | None = None
    edited: bool = False


class ReplyRejected(ReplyEvent):
    kind: ClassVar[EventKind] = EventKind.REPLY_REJECTED
    note: str


class ReplyWithdrawn(ReplyEvent):
    """Taken back before it went out: by its author (or a manager), or by the desk (no actor)."""

    kind: ClassVar[EventKind] = EventKind.REPLY_WITHDRAWN
    note: str | None = None


class ReplyToPost(ReplyEvent):
    """No sink serves the reply's channel: it waits for an agent to post it there by hand."""

    kind: ClassVar[EventKind] = EventKind.REPLY_TO_POST
    channel: str


class ReplySent(ReplyEvent):
    kind: ClassVar[EventKind] = EventKind.REPLY_SENT
    mention_id: int | None = None
    #: posted by hand by the event's actor (no sink serves the channel)
    is_manual: bool = False


class ReplyFailed(ReplyEvent):
    kind: ClassVar[EventKind] = EventKind.REPLY_FAILED
    error: str


class SurveyAnswered(EventPayload):
    """The customer answered the case's satisfaction survey (score 1 poor … 5 great)."""

    kind: ClassVar[EventKind] = EventKind.SURVEY_ANSWERED
    score: int
    comment: str | None = None


class SurveySent(EventPayload):
    """The survey link went into the outbox: on the case's channel, or by email when that has no sink."""

    kind: ClassVar[EventKind] = EventKind.SURVEY_SENT
    reply_id: int
    channel: str
    by_email: bool = False


class SurveyNotSent(EventPayload):
    """No sink serves the case's channel and the customer has no email address: the agent shares the link."""

    kind: ClassVar[EventKind] = EventKind.SURVEY_NOT_SENT
    channel: str


class TaskEvent(ChangeByPerson):
    """Something that happened to one of the case's tasks (kept on the case's own timeline)."""

    task_id: int
    title: str
    team_id: int


class TaskOpened(TaskEvent):
    kind: ClassVar[EventKind] = EventKind.TASK_OPENED
    due_at: str | None = None


class TaskDone(TaskEvent):
    kind: ClassVar[EventKind] = EventKind.TASK_DONE
    note: str | None = None


class TaskWaived(TaskEvent):
    kind: ClassVar[EventKind] = EventKind.TASK_WAIVED
    reason: str


class TaskReminded(TaskEvent):
    """An open task passed its due date: its team's members (and its person) were told, once."""

    kind: ClassVar[EventKind] = EventKind.TASK_REMINDED
    due_at: str
    notified_user_ids: tuple[int, ...] = ()


class CaseFollowUpSet(ChangeByPerson):
    """A case parked until a date (``pending``) or a check-in planned after it was resolved."""

    kind: ClassVar[EventKind] = EventKind.CASE_FOLLOW_UP_SET
    follow_up_id: int
    follow_up: str  # pending | check_in
    due_at: str  # ISO 8601, UTC
    waiting_on: str | None = None
    note: str | None = None


class CaseFollowUpReturned(EventPayload):
    """A follow-up's date came: the case was brought back to its owner (or had been taken up already)."""

    kind: ClassVar[EventKind] = EventKind.CASE_FOLLOW_UP_RETURNED
    follow_up_id: int
    follow_up: str
    outcome: str  # returned | skipped
    note: str | None = None


class CaseSlaResumed(EventPayload):
    """The customer answered a pending case: its deadlines moved by the business time left at the pause."""

    kind: ClassVar[EventKind] = EventKind.CASE_SLA_RESUMED
    paused_at: str  # ISO 8601, UTC
    first_response_due_at: str | None = None
    resolve_due_at: str | None = None


class CaseSlaEscalated(EventPayload):
    """A deadline passed: what the brand's policy did about it, once per breach."""

    kind: ClassVar[EventKind] = EventKind.CASE_SLA_ESCALATED
    target: str  # first_response | resolution
    due_at: str  # ISO 8601, UTC
    previous_priority: int
    priority: int
    previous_team_id: int | None = None
    team_id: int | None = None
    notified_user_ids: tuple[int, ...] = ()


class CustomerMerged(ChangeByPerson):
    """Two records of one person became one: what moved from ``other_id``, so unmerging restores it."""

    kind: ClassVar[EventKind] = EventKind.CUSTOMER_MERGED
    other_id: int
    other_name: str
    other_created_at: str  # ISO 8601, UTC
    identity_ids: tuple[int, ...] = ()
    case_ids: tuple[int, ...] = ()
    mention_ids: tuple[int, ...] = ()


class CustomerUnmerged(ChangeByPerson):
    """A merge undone: ``other_id`` is back with the identities, cases and messages it had."""

    kind: ClassVar[EventKind] = EventKind.CUSTOMER_UNMERGED
    other_id: int
    merge_event_id: int


class CaseMerged(ChangeByPerson):
    """Another case of the customer joined this one: its messages and history moved here."""

    kind: ClassVar[EventKind] = EventKind.CASE_MERGED
    other_id: int
    mention_ids: tuple[int, ...] = ()
    event_ids: tuple[int, ...] = ()


class CaseUnmerged(ChangeByPerson):
    """A case merge undone: ``other_id`` has its messages and history back and is open again."""

    kind: ClassVar[EventKind] = EventKind.CASE_UNMERGED
    other_id: int
    merge_event_id: int


class ProblemStatusChanged(ChangeByPerson):
    """A problem moved on its lifecycle (values.ProblemStatus), with what was done."""

    kind: ClassVar[EventKind] = EventKind.PROBLEM_STATUS_CHANGED
    previous: str = Field(alias="from")
    status: str = Field(alias="to")
    note: str | None = None


class ProblemReopened(EventPayload):
    """A fixed problem back to investigating because the fix did not work: ``reason`` says how it
    showed, ``mention_id`` and ``case_id`` the customer's message when one did."""

    kind: ClassVar[EventKind] = EventKind.PROBLEM_REOPENED
    previous: str = Field(alias="from")
    reason: str
    mention_id: int | None = None
    case_id: int | None = None


PAYLOAD_TYPES: dict[str, type[EventPayload]] = {
    payload.kind.value: payload
    for payload in (
        CustomerMerged,
        CustomerUnmerged,
        CaseMerged,
        CaseUnmerged,
        CaseSlaResumed,
        CaseSlaEscalated,
        CaseOpened,
        CaseFirstResponse,
        CaseRouted,
        CaseAssigned,
        CaseTeamChanged,
        CaseStatusChanged,
        CaseResolved,
        CasePriorityChanged,
        CaseNoteAdded,
        EnrichmentCorrected,
        EnrichmentReread,
        ResolutionApplied,
        ResolutionRequested,
        ResolutionApproved,
        ResolutionDeclined,
        ReplyAwaitingApproval,
        ReplyApproved,
        ReplyRejected,
        ReplyWithdrawn,
        ReplyToPost,
        ReplySent,
        ReplyFailed,
        SurveyAnswered,
        SurveySent,
        SurveyNotSent,
        CaseFollowUpSet,
        CaseFollowUpReturned,
        TaskOpened,
        TaskDone,
        TaskWaived,
        TaskReminded,
        ProblemStatusChanged,
        ProblemReopened,
    )
}


def parse_payload(kind: str, data: Mapping[str, Any] | None, *, where: str = "") -> EventPayload | None:
    """A stored event's data as its kind's payload; None for kinds without a payload type.

    ``where`` (say ``"event 42"``) names the row in the error a malformed payload raises.
    """
    payload_type = PAYLOAD_TYPES.get(kind)
    if payload_type is None:
        return None
    try:
        return payload_type.model_validate(dict(data or {}))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'data'}: {error['msg']}"
            for error in exc.errors()
        )
        place = f"{where} " if where else ""
        raise EventPayloadError(f"{place}({kind}) has a malformed payload: {problems}") from None
