"""Replies in the browser: the composer and the case's replies on the case page, PR's approvals queue.

The case page gets its part through ``web/panels.py`` and includes ``cases/_composer.html``. Forms
post, flash what happened and come back; a reply the checker blocks comes back as the case page
itself (422) with the findings and the words kept, so nothing the agent wrote is lost.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.cases import pages as case_pages
from ombuds.cases import queries as case_queries
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.cases.schemas import priority_label
from ombuds.cases.workflow import may_work
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput, OmbudsError
from ombuds.fields import AsTyped, Id, NoNul
from ombuds.incidents.access import may_manage
from ombuds.incidents.bulk import open_cases, ticked
from ombuds.incidents.queries import get_incident
from ombuds.mentions.values import channel_name
from ombuds.responses import actions, approval_actions, incident_replies, queries, sending
from ombuds.responses.approval_rules import ApprovalPolicy, may_approve, may_set_policy, may_withdraw
from ombuds.responses.models import WITHDRAWABLE, Reply, ReplyStatus
from ombuds.responses.reply_checks import (
    NOTE_MAX_CHARS,
    REPLY_MAX_CHARS,
    ReplyBlocked,
    check,
    filled_for_case,
)
from ombuds.responses.values import Visibility, channel_limit
from ombuds.responses.wording.queries import holding_statements
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn, app_secret_box
from ombuds.web.templating import flash, render

router = APIRouter()

FormText = Annotated[str, AsTyped, Form(max_length=REPLY_MAX_CHARS), NoNul]
FormNote = Annotated[str, AsTyped, Form(max_length=NOTE_MAX_CHARS), NoNul]

#: The composer's choice of how to answer: the form value and what the agent reads.
ACK_THEN_PRIVATE = "ack_then_private"
MODES = (
    (Visibility.PUBLIC.value, "Public reply", "on the channel the customer used; everyone can read it"),
    (Visibility.PRIVATE.value, "Private reply", "a DM or an email to the customer, on this case"),
    (
        ACK_THEN_PRIVATE,
        "Public acknowledgement, then private",
        "say in public you are on it, solve it in a DM",
    ),
)
CLOSING_TEXT = "Thanks again for your patience, {customer_name}. Glad we could sort this out!"


@dataclass(frozen=True)
class Draft:
    """What the agent wrote when the checker blocked it, shown again with the findings."""

    mode: str
    text: str
    private_text: str = ""
    #: what the checker says of each text, each finding with the words it points at (``quote``)
    findings: list[dict[str, Any]] = field(default_factory=list)
    private_findings: list[dict[str, Any]] = field(default_factory=list)


#: Set only while a blocked reply re-renders the case page (one request, one thread).
_draft: ContextVar[Draft | None] = ContextVar("reply_draft", default=None)


@contextmanager
def _showing(draft: Draft) -> Iterator[None]:
    token = _draft.set(draft)
    try:
        yield
    finally:
        _draft.reset(token)


def _case_context(session: Session, case: Case, signed_in: SignedIn) -> Mapping[str, Any]:
    replies = queries.list_case_replies(session, case=case)
    role = signed_in.roles.get(case.brand_id)
    unsent_links = [r.id for r in replies if r.is_survey and r.status in queries.UNSENT_LINKS]
    return {
        "replies": replies,
        # the outbound messages someone posted by hand: the history says so
        "hand_posted_mentions": {r.mention_id for r in replies if r.is_manual and r.mention_id is not None},
        # a survey link whose offer was taken back since the outbox's last round: say so now
        "void_survey_links": dict(queries.void_survey_links(session, reply_ids=unsent_links))
        if unsent_links
        else {},
        "reply_people": queries.people_names(
            session, [r.author_id for r in replies] + [r.approver_id for r in replies]
        ),
        "can_reply": may_work(role),
        # the held replies this person may take back: their own, or any as a manager or admin
        "withdrawable_reply_ids": {
            r.id
            for r in replies
            if r.status in WITHDRAWABLE
            and may_work(role)
            and may_withdraw(role, is_author=r.author_id == signed_in.user.id)
        },
        "reply_modes": MODES,
        "reply_limits": {v.value: channel_limit(case.channel, v) for v in Visibility},
        "reply_draft": _draft.get(),
        "reply_max_chars": REPLY_MAX_CHARS,
        # each rendering of the composer is one submission (send_reply)
        "reply_submission": uuid.uuid4().hex,
        "offers_public_closing": queries.offers_public_closing(session, case=case),
        "public_closing_sent": queries.public_closing_sent(session, case=case),
        "public_closing_text": CLOSING_TEXT,
    }


panels.register("case", "replies", _case_context)


def _inbox_context(session: Session, case_ids: list[int], signed_in: SignedIn) -> Mapping[str, Any]:
    """Which listed cases have a reply waiting to be posted by hand: the customer still waits."""
    return {"cases_to_post": queries.cases_with_replies_to_post(session, case_ids=case_ids)}


panels.register("inbox", "replies", _inbox_context)
panels.register_narrowing("replies:to_post", queries.brand_cases_with_replies_to_post)


def _case_or_404(session: Session, case_id: int, signed_in: SignedIn) -> Case:
    case = case_queries.get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return case


def _case_reply_or_404(
    session: Session, case_id: int, reply_id: int, signed_in: SignedIn
) -> tuple[Case, Reply]:
    """The case and one of its replies, both among the brands the person may see."""
    case = _case_or_404(session, case_id, signed_in)
    reply = queries.get_reply(session, reply_id, brand_ids=signed_in.brand_ids)
    if reply is None or reply.case_id != case.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return case, reply


def _back(case_id: int, anchor: str = "#replies") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}{anchor}", status_code=status.HTTP_303_SEE_OTHER)


def _refused(request: Request, session: Session, error: OmbudsError, to: str) -> Response:
    session.rollback()
    message = str(error)
    flash(request, message[:1].upper() + message[1:] + ".", "error")
    return RedirectResponse(to, status_code=status.HTTP_303_SEE_OTHER)


def _outcome(request: Request, replies: list[Reply]) -> None:
    """Tell the agent what became of what they sent, in the words of its status."""
    for reply in replies:
        word = "Public" if reply.visibility is Visibility.PUBLIC else "Private"
        if reply.status is ReplyStatus.AWAITING_APPROVAL:
            flash(
                request,
                f"{word} reply waits for PR approval: {reply.needs_approval}. "
                "It goes out once approved; the outcome shows here.",
                "warning",
            )
        else:
            flash(
                request,
                f"{word} reply queued: it goes out shortly and then shows on the timeline, or, where no "
                f"connector sends on {channel_name(reply.channel)}, waits here for you to post it by hand.",
                "success",
            )


def _checked(session: Session, *, case: Case, text: str, visibility: Visibility) -> list[dict[str, Any]]:
    """The checker's findings on one text, each with the words of the reply it points at."""
    text = text.strip()
    if not text:
        return []
    filled = filled_for_case(session, case=case, text=text)
    found = check(session, case=case, text=text, visibility=visibility)
    return [finding.to_data() | {"quote": filled[finding.start : finding.end]} for finding in found]


def _blocked_draft(
    session: Session, *, case: Case, mode: str, text: str, private_text: str, blocked: ReplyBlocked
) -> Draft:
    if mode == ACK_THEN_PRIVATE:
        return Draft(
            mode=mode,
            text=text,
            private_text=private_text,
            findings=_checked(session, case=case, text=text, visibility=Visibility.PUBLIC),
            private_findings=_checked(session, case=case, text=private_text, visibility=Visibility.PRIVATE),
        )
    return Draft(
        mode=mode,
        text=text,
        findings=_checked(session, case=case, text=text, visibility=Visibility(mode))
        or [finding.to_data() | {"quote": ""} for finding in blocked.findings],
    )


@router.post("/cases/{case_id}/replies")
def send_reply(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    text: FormText = "",
    visibility: Annotated[str, Form(max_length=32)] = Visibility.PUBLIC.value,
    private_text: FormText = "",
    is_public_closing: Annotated[bool, Form()] = False,
    submission: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Answer the customer: in public, in private, or a public acknowledgement then a private reply.

    The form carries a token of its own (``submission``): the same words sent again with it (a
    second click, the browser sending the page again) make nothing twice; other words typed on a
    page gone back to are a new reply."""
    case = _case_or_404(session, case_id, signed_in)
    actor = Actor(signed_in.user)
    parts = 2 if visibility == ACK_THEN_PRIVATE else 1
    words = hashlib.sha256("\x00".join((visibility, text, private_text)).encode()).hexdigest()
    keys = actions.submission_keys(case.brand_id, f"form:{submission}:{words}", parts) if submission else []
    try:
        if keys and actions.earlier_submission(session, case=case, keys=keys, actor=actor):
            flash(
                request, "This reply was sent already (the form came twice); nothing was sent again.", "info"
            )
            return _back(case.id)
        if visibility == ACK_THEN_PRIVATE:
            sent = list(
                actions.acknowledge_then_private(
                    session,
                    case=case,
                    public_text=text,
                    private_text=private_text,
                    actor=actor,
                    idempotency_keys=(keys[0], keys[1]) if keys else None,
                )
            )
        else:
            chosen = next((v for v in Visibility if v.value == visibility), None)
            if chosen is None:
                modes = ", ".join(mode for mode, _, _ in MODES)
                raise InvalidInput(f"visibility: {visibility!r} is not one of {modes}")
            reply = actions.submit_reply(
                session,
                case=case,
                text=text,
                visibility=chosen,
                actor=actor,
                is_public_closing=is_public_closing and chosen is Visibility.PUBLIC,
                idempotency_key=keys[0] if keys else None,
            )
            sent = [reply]
    except ReplyBlocked as blocked:
        session.rollback()
        draft = _blocked_draft(
            session, case=case, mode=visibility, text=text, private_text=private_text, blocked=blocked
        )
        with _showing(draft):
            page = case_pages.case_page(case.id, request, signed_in, session)
        page.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return page
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, error, f"/cases/{case.id}#reply")
    _outcome(request, sent)
    return _back(case.id)


@router.post("/cases/{case_id}/replies/{reply_id}/retry")
def retry_reply(
    case_id: Id, reply_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    """Put a failed reply back in the outbox: same words, same idempotency key, fresh attempts."""
    case, reply = _case_reply_or_404(session, case_id, reply_id, signed_in)
    try:
        actions.retry_reply(session, reply=reply, case=case, actor=Actor(signed_in.user))
    except Conflict as error:
        return _refused(request, session, error, f"/cases/{case.id}#reply-{reply.id}")
    flash(request, "Reply queued again: it goes out shortly.", "success")
    return _back(case.id, f"#reply-{reply.id}")


@router.post("/cases/{case_id}/replies/{reply_id}/send")
def send_draft(
    case_id: Id, reply_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    """Send a reply the desk drafted (a fixed problem's message) as the agent's own."""
    case, reply = _case_reply_or_404(session, case_id, reply_id, signed_in)
    try:
        moved = actions.send_draft(session, reply=reply, case=case, actor=Actor(signed_in.user))
    except (ReplyBlocked, Conflict) as error:
        return _refused(request, session, error, f"/cases/{case.id}#reply-{reply.id}")
    if moved:
        _outcome(request, [reply])  # queued, or held for PR when the policy holds it now
    else:
        flash(request, f"That reply is {reply.status.said}, not a draft any more.", "warning")
    return _back(case.id, f"#reply-{reply.id}")


@router.post("/cases/{case_id}/replies/{reply_id}/posted")
def mark_posted(
    case_id: Id,
    reply_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    external_id: Annotated[str, Form(max_length=2_000), NoNul] = "",
) -> Response:
    """Say a reply no connector sends was posted by hand: the customer has it from now; with the
    posted message's id or link, their answers to it join the case."""
    case, reply = _case_reply_or_404(session, case_id, reply_id, signed_in)
    try:
        actions.mark_posted(
            session, reply=reply, case=case, actor=Actor(signed_in.user), external_id=external_id
        )
    except (Forbidden, Conflict, InvalidInput) as error:
        # to the top, where the message shows: the card looks as it did, so below it would seem
        # that nothing happened
        return _refused(
            request, session, OmbudsError(str(error).removeprefix("external_id: ")), f"/cases/{case.id}"
        )
    flash(request, "Reply marked posted: the customer has it, and it shows on the timeline.", "success")
    return _back(case.id, f"#reply-{reply.id}")


@router.post("/cases/{case_id}/replies/{reply_id}/withdraw")
def withdraw_reply(
    case_id: Id, reply_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    """Take back a reply that waits for PR or to be posted by hand (their own, or any for a manager
    or admin)."""
    case, reply = _case_reply_or_404(session, case_id, reply_id, signed_in)
    was_held = reply.status is ReplyStatus.AWAITING_APPROVAL
    try:
        approval_actions.withdraw_reply(session, reply=reply, case=case, actor=Actor(signed_in.user))
    except (Forbidden, Conflict) as error:
        return _refused(request, session, error, f"/cases/{case.id}#reply-{reply.id}")
    flash(
        request,
        "Reply withdrawn: it will not be sent, and PR no longer has it to approve."
        if was_held
        else "Reply withdrawn: it is not to be posted.",
        "success",
    )
    return _back(case.id, f"#reply-{reply.id}")


# --- the approvals queue ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/replies/delivery")
def reply_delivery(case_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The composer's line saying, before anyone sends, that no connector sends on the case's
    channel (a reply sent here then waits to be posted by hand); empty when one does. Loaded after
    the case page, as opening a source's settings takes the app's key."""
    case = _case_or_404(session, case_id, signed_in)
    box = app_secret_box(request)
    by_hand = [
        visibility.value
        for visibility in Visibility
        if not sending.goes_out_by_itself(session, case=case, visibility=visibility, box=box)
    ]
    return render(
        request, "cases/_reply_delivery.html", {"case": case, "by_hand": by_hand}, signed_in=signed_in
    )


@router.get("/replies/approvals")
def approvals(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """Public replies waiting for PR, oldest first; PR, managers and admins decide, others look."""
    brand = signed_in.brand
    if brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "You belong to no brand yet.")
    context = {
        "queue": queries.approval_queue(session, brand_id=brand.id),
        "can_approve": may_approve(signed_in.role),
        "priority_label": priority_label,
        "policy": queries.approval_policy(session, brand_id=brand.id),
        "can_set_policy": may_set_policy(signed_in.role),
    }
    return render(request, "responses/approvals.html", context, signed_in=signed_in)


def _held_reply(session: Session, reply_id: int, signed_in: SignedIn) -> Reply:
    reply = queries.get_reply(session, reply_id, brand_ids=signed_in.brand_ids)
    if reply is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return reply


QUEUE = "/replies/approvals"


@router.post("/replies/approval-policy")
def set_approval_policy(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    on_priority_1: Annotated[bool, Form()] = False,
    on_media_author: Annotated[bool, Form()] = False,
    on_active_incident: Annotated[bool, Form()] = False,
) -> Response:
    """Which public replies wait for PR; an unticked box (absent from the form) is off."""
    brand = signed_in.brand
    if brand is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "You belong to no brand yet.")
    policy = ApprovalPolicy(
        on_priority_1=on_priority_1, on_media_author=on_media_author, on_active_incident=on_active_incident
    )
    try:
        approval_actions.set_approval_policy(
            session, brand_id=brand.id, policy=policy, actor=Actor(signed_in.user)
        )
    except Forbidden as error:
        return _refused(request, session, error, QUEUE)
    flash(request, "Saved: public replies written from now on follow these rules.", "success")
    return RedirectResponse(QUEUE, status_code=status.HTTP_303_SEE_OTHER)


@router.post("/replies/{reply_id}/approve")
def approve_reply(
    reply_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    note: FormNote = "",
    text: Annotated[str | None, AsTyped, Form(max_length=REPLY_MAX_CHARS), NoNul] = None,
) -> Response:
    """Approve a held reply (it goes to the outbox), with the approver's edits when the form sends text."""
    reply = _held_reply(session, reply_id, signed_in)
    try:
        moved = approval_actions.approve_reply(
            session, reply=reply, actor=Actor(signed_in.user), note=note, text=text
        )
    except ReplyBlocked as blocked:
        messages = "; ".join(f.message for f in blocked.findings if f.severity == "block")
        return _refused(request, session, InvalidInput(f"the edited reply cannot be sent: {messages}"), QUEUE)
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, error, QUEUE)
    if moved:
        flash(
            request,
            f"Reply on case #{reply.case_id} approved: it goes out shortly, or, where no connector sends "
            f"on {channel_name(reply.channel)}, waits on the case for someone to post it there by hand.",
            "success",
        )
    else:
        flash(
            request,
            f"That reply was already {reply.status.said}: nothing changed.",
            "info",
        )
    return RedirectResponse(QUEUE, status_code=status.HTTP_303_SEE_OTHER)


@router.post("/replies/{reply_id}/reject")
def reject_reply(
    reply_id: Id, request: Request, signed_in: CurrentUser, session: DbSession, note: FormNote = ""
) -> Response:
    """Turn a held reply down; the note tells the agent on the case what to change."""
    reply = _held_reply(session, reply_id, signed_in)
    try:
        approval_actions.reject_reply(session, reply=reply, actor=Actor(signed_in.user), note=note)
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, error, QUEUE)
    flash(
        request, f"Reply on case #{reply.case_id} rejected; the agent reads your note on the case.", "success"
    )
    return RedirectResponse(QUEUE, status_code=status.HTTP_303_SEE_OTHER)


@router.post("/incidents/{incident_id}/reply-all")
def reply_to_incident_cases(
    incident_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    visibility: Annotated[str, Form(max_length=16)] = Visibility.PUBLIC.value,
    confirmed: Annotated[str, Form(max_length=10)] = "",
    chosen: Annotated[str, Form(max_length=10)] = "",
    case: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies a default)
) -> Response:
    """Reply to every open case of the incident with its holding statement, after a confirmation
    listing them: PR unticks any customer the statement does not concern."""
    incident = get_incident(session, incident_id, brand_ids=signed_in.brand_ids)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such incident.")
    if not may_manage(signed_in.roles.get(incident.brand_id)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Answering an incident's cases at once takes the PR, manager or admin role.",
        )
    back = RedirectResponse(
        f"/incidents/{incident.id}#holding-statement", status_code=status.HTTP_303_SEE_OTHER
    )
    chosen_visibility = next((v for v in Visibility if v.value == visibility), None)
    if chosen_visibility is None:
        flash(request, f"visibility: {visibility!r} is not public or private", "error")
        return back
    if confirmed != "yes":
        cases = open_cases(session, incident=incident)
        statement = holding_statements(session, [incident.id], now=utcnow()).get(incident.id)
        text = statement.version.text if statement is not None else ""
        by_channel = Counter(case.channel for case in cases)
        return render(
            request,
            "incidents/confirm_bulk.html",
            {
                "incident": incident,
                "what": f"send the holding statement as a {chosen_visibility.value} reply",
                "count": len(cases),
                "cases": cases,
                "post_to": f"/incidents/{incident.id}/reply-all",
                "fields": {"visibility": chosen_visibility.value},
                "statement": text,
                # per channel: how many cases, and the most a reply there takes (too long: refused there)
                "channels": [
                    (channel, count, channel_limit(channel, chosen_visibility))
                    for channel, count in sorted(by_channel.items(), key=lambda item: -item[1])
                ],
            },
            signed_in=signed_in,
        )
    try:
        outcome = incident_replies.reply_to_open_cases(
            session,
            incident=incident,
            visibility=chosen_visibility,
            actor=Actor(signed_in.user),
            now=utcnow(),
            only=ticked(chosen, case),
        )
    except OmbudsError as exc:
        session.rollback()
        flash(request, str(exc), "error")
        return back
    flash(request, outcome.message(), "error" if outcome.cases.refused else "success")
    return back
