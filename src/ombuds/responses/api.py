"""Replies over JSON: check a draft, send (or hold for PR), approve, reject, withdraw, retry, list a case's replies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ombuds.cases import queries as case_queries
from ombuds.cases.lifecycle import acting_role
from ombuds.cases.models import Case
from ombuds.cases.schemas import DraftRead
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden
from ombuds.fields import Id
from ombuds.incidents.access import may_manage
from ombuds.incidents.queries import get_incident
from ombuds.responses import actions, approval_actions, incident_replies, queries
from ombuds.responses.approval_rules import ApprovalPolicy
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.reply_checks import ReplyBlocked, check, filled_for_case
from ombuds.responses.schemas import (
    AcknowledgeThenPrivate,
    ApprovalPolicyRead,
    ApprovalPolicyWrite,
    CheckRead,
    FindingRead,
    IncidentReplies,
    IncidentRepliesRead,
    ReplyApprove,
    ReplyCheck,
    ReplyCreate,
    ReplyPosted,
    ReplyRead,
    ReplyReject,
)
from ombuds.responses.values import channel_limit
from ombuds.web import panels
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(tags=["replies"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {
        "description": "A viewer; an agent approving, or withdrawing another's reply; a session request "
        "without its X-CSRF-Token header."
    },
    404: {"description": "No such case or reply among the brands the caller may see."},
    409: {
        "description": "The reply is not in a state that allows this (rejecting a sent reply, approving "
        "a withdrawn one); an Idempotency-Key already used for a reply on another case."
    },
    422: {
        "description": "Empty or too long text, or a finding that blocks: `{detail, findings}`; an "
        "Idempotency-Key already used for a request with another body."
    },
}
REPLAYED = "Idempotent-Replayed"
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Your own key for this submission (visible ASCII, up to 255): sent again with "
        "the same key, the request answers 200 with the replies it made the first time (header "
        f"`{REPLAYED}: true`) instead of making them again. Scoped to the brand; a key used for "
        "a reply on another case is refused (409), and one sent again with another body (422).",
    ),
]


def _replayed(response: Response) -> None:
    response.status_code = status.HTTP_200_OK
    response.headers[REPLAYED] = "true"


@dataclass(frozen=True, slots=True)
class _Submission:
    """A request's Idempotency-Key as the replies keep it, the digest of its body, and the replies
    it made the first time (none: make them now)."""

    keys: list[str]
    digest: str | None
    earlier: list[Reply]


def _submission(
    session: Session, case: Case, scope: ApiScope, body: BaseModel, key: str | None, *, count: int
) -> _Submission:
    if not key:
        return _Submission([], None, [])
    keys = actions.submission_keys(case.brand_id, key, count)
    digest = actions.submission_digest(body.model_dump_json())
    earlier = actions.earlier_submission(
        session, case=case, keys=keys, actor=scope.actor(session), digest=digest
    )
    return _Submission(keys, digest, earlier)


def _case(session: Session, case_id: int, scope: ApiScope) -> Case:
    case = case_queries.get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return case


def _reply(session: Session, reply_id: int, scope: ApiScope) -> Reply:
    reply = queries.get_reply(session, reply_id, brand_ids=scope.brand_ids)
    if reply is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no reply {reply_id}")
    return reply


def blocked_answer(exc: ReplyBlocked) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc), "findings": [f.to_data() for f in exc.findings]},
        status_code=422,
    )


@router.post("/replies/check", response_model=CheckRead, responses=_ERRORS)
def check_reply(body: ReplyCheck, scope: ApiReader, session: DbSession) -> CheckRead:
    """What the checker says of a draft on the case; changes nothing (viewers may ask too)."""
    case = _case(session, body.case_id, scope)
    findings = check(session, case=case, text=body.text, visibility=body.visibility)
    return CheckRead(
        findings=[FindingRead(**f.to_data()) for f in findings],
        limit=channel_limit(case.channel, body.visibility),
        text=filled_for_case(session, case=case, text=body.text),
    )


@router.get("/cases/{case_id}/replies", response_model=list[ReplyRead], responses=_ERRORS)
def list_replies(case_id: Id, scope: ApiReader, session: DbSession) -> list[Reply]:
    """The case's replies, oldest first, with their status and what the checker found."""
    return queries.list_case_replies(session, case=_case(session, case_id, scope))


@router.post(
    "/cases/{case_id}/replies",
    response_model=ReplyRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
)
def create_reply(
    case_id: Id,
    body: ReplyCreate,
    scope: ApiReader,
    session: DbSession,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Reply on the case: queued for sending, or held for PR when the brand's policy says so."""
    case = _case(session, case_id, scope)
    sent = _submission(session, case, scope, body, idempotency_key, count=1)
    if sent.earlier:
        _replayed(response)
        return sent.earlier[0]
    try:
        return actions.submit_reply(
            session,
            case=case,
            text=body.text,
            visibility=body.visibility,
            actor=scope.actor(session),
            is_public_closing=body.is_public_closing,
            idempotency_key=sent.keys[0] if sent.keys else None,
            submission_digest=sent.digest,
        )
    except ReplyBlocked as exc:
        return blocked_answer(exc)


@router.post(
    "/cases/{case_id}/replies/acknowledge-then-private",
    response_model=list[ReplyRead],
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
)
def acknowledge_then_private(
    case_id: Id,
    body: AcknowledgeThenPrivate,
    scope: ApiReader,
    session: DbSession,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """A public acknowledgement and a private reply on the same case (one case, one SLA)."""
    case = _case(session, case_id, scope)
    sent = _submission(session, case, scope, body, idempotency_key, count=2)
    if sent.earlier:
        _replayed(response)
        return sent.earlier
    try:
        return list(
            actions.acknowledge_then_private(
                session,
                case=case,
                public_text=body.public_text,
                private_text=body.private_text,
                actor=scope.actor(session),
                idempotency_keys=(sent.keys[0], sent.keys[1]) if sent.keys else None,
                submission_digest=sent.digest,
            )
        )
    except ReplyBlocked as exc:
        return blocked_answer(exc)


@router.post("/replies/{reply_id}/approve", response_model=ReplyRead, responses=_ERRORS)
def approve(reply_id: Id, body: ReplyApprove, scope: ApiReader, session: DbSession) -> Any:
    """Release a held reply (PR, managers, admins); approving it again changes nothing, so it is sent once."""
    reply = _reply(session, reply_id, scope)
    try:
        approval_actions.approve_reply(
            session, reply=reply, actor=scope.actor(session), note=body.note, text=body.text
        )
    except ReplyBlocked as exc:
        return blocked_answer(exc)
    return reply


@router.post("/replies/{reply_id}/reject", response_model=ReplyRead, responses=_ERRORS)
def reject(reply_id: Id, body: ReplyReject, scope: ApiReader, session: DbSession) -> Reply:
    """Turn a held reply down with a note the agent reads on the case."""
    reply = _reply(session, reply_id, scope)
    approval_actions.reject_reply(session, reply=reply, actor=scope.actor(session), note=body.note)
    return reply


@router.post("/replies/{reply_id}/withdraw", response_model=ReplyRead, responses=_ERRORS)
def withdraw(reply_id: Id, scope: ApiReader, session: DbSession) -> Reply:
    """Take back a reply that waits for PR or to be posted by hand: its author their own, managers
    and admins any on their brand.

    It is then never approved nor sent; of a withdrawal and an approval at once, the later gets 409.
    """
    reply = _reply(session, reply_id, scope)
    case = _case(session, reply.case_id, scope)
    approval_actions.withdraw_reply(session, reply=reply, case=case, actor=scope.actor(session))
    return reply


@router.post("/replies/{reply_id}/posted", response_model=ReplyRead, responses=_ERRORS)
def mark_posted(reply_id: Id, scope: ApiReader, session: DbSession, body: ReplyPosted | None = None) -> Reply:
    """Say a reply with status ``to_post`` (no connector sends on its channel) was posted there by
    hand: it is ``sent`` from now, which stamps the case's first response. With the posted message's
    ``external_id`` (or its link) the customer's answers to it join the case. 409 when it is not
    waiting to be posted (posted already, withdrawn) or the id is the desk's for another message."""
    reply = _reply(session, reply_id, scope)
    case = _case(session, reply.case_id, scope)
    actions.mark_posted(
        session,
        reply=reply,
        case=case,
        actor=scope.actor(session),
        external_id=body.external_id if body is not None else None,
    )
    return reply


@router.post("/replies/{reply_id}/retry", response_model=ReplyRead, responses=_ERRORS)
def retry(reply_id: Id, scope: ApiReader, session: DbSession) -> Reply:
    """Put a failed reply back in the outbox."""
    reply = _reply(session, reply_id, scope)
    case = _case(session, reply.case_id, scope)
    actions.retry_reply(session, reply=reply, case=case, actor=scope.actor(session))
    return reply


@router.post("/replies/{reply_id}/send", response_model=ReplyRead, responses=_ERRORS)
def send_draft(reply_id: Id, scope: ApiReader, session: DbSession) -> Any:
    """Send a reply the desk drafted for the agent (a fixed problem's message): it goes to the outbox,
    or waits for PR when the brand's policy holds it now; a finding that blocks it now answers 422."""
    reply = _reply(session, reply_id, scope)
    case = _case(session, reply.case_id, scope)
    try:
        moved = actions.send_draft(session, reply=reply, case=case, actor=scope.actor(session))
    except ReplyBlocked as exc:
        return blocked_answer(exc)
    if not moved:
        raise Conflict(f"reply {reply.id} is {reply.status.said}, not a draft")
    return reply


#: Replies the case's JSON lists as drafts: written, not yet on their way.
_DRAFTS = (ReplyStatus.DRAFT, ReplyStatus.AWAITING_APPROVAL)


def _case_drafts(session: Session, case: Case) -> dict[str, Any]:
    return {
        "drafts": [
            DraftRead(id=r.id, text=r.text, status=r.status.value)
            for r in queries.list_case_replies(session, case=case)
            if r.status in _DRAFTS
        ]
    }


panels.register_case_detail("drafts", _case_drafts)


PolicyBrand = Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")]


@router.get("/reply-approval-policy", response_model=ApprovalPolicyRead, responses=_ERRORS)
def get_approval_policy(scope: ApiReader, session: DbSession, brand: PolicyBrand = None) -> ApprovalPolicy:
    """Which public replies of the brand wait for PR (a brand that never set it: all switches on)."""
    return queries.approval_policy(session, brand_id=scope.brand_by_slug(brand).id)


@router.put(
    "/reply-approval-policy",
    response_model=ApprovalPolicyRead,
    responses=_ERRORS | {403: {"description": "Changing it takes the manager or admin role."}},
)
def put_approval_policy(
    body: ApprovalPolicyWrite, scope: ApiReader, session: DbSession, brand: PolicyBrand = None
) -> ApprovalPolicy:
    """Switch each reason on or off; replies written from now on follow it, held ones stay held."""
    brand_id = scope.brand_by_slug(brand).id
    policy = ApprovalPolicy(**body.model_dump())
    approval_actions.set_approval_policy(
        session, brand_id=brand_id, policy=policy, actor=scope.actor(session)
    )
    return policy


@router.post("/incidents/{incident_id}/replies", response_model=IncidentRepliesRead, responses=_ERRORS)
def reply_to_incident_cases(
    incident_id: Id, body: IncidentReplies, scope: ApiReader, session: DbSession
) -> IncidentRepliesRead:
    """One reply per open case of the incident, in the words of its current holding statement.

    Each reply takes the path of a single reply (checked, held for PR when the brand's policy says
    so); a case that has this reply already is left alone. The pr, manager and admin roles do this.
    """
    incident = get_incident(session, incident_id, brand_ids=scope.brand_ids)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no incident {incident_id}")
    actor = scope.actor(session)
    if not may_manage(acting_role(session, actor=actor, brand_id=incident.brand_id)):
        raise Forbidden("answering an incident's cases at once takes the pr, manager or admin role")
    outcome = incident_replies.reply_to_open_cases(
        session, incident=incident, visibility=body.visibility, actor=actor, now=utcnow()
    )
    return IncidentRepliesRead(
        open_cases=outcome.cases.total,
        replied=outcome.cases.changed,
        held=outcome.held,
        already_replied=outcome.cases.unchanged,
        refused=outcome.cases.refused,
    )
