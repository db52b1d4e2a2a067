"""The writers of replies as people write them: submit (checked, maybe held for PR), send a draft the
desk wrote, acknowledge in public then answer in private, retry a failed one, say one no sink
serves was posted by hand.

A reply is checked again on every write that changes its words; a finding that blocks refuses
the write with the findings (``ReplyBlocked``). Nothing here sends: a queued reply waits in the
outbox for ``sending.deliver_due_replies``. Decisions on held replies (approve, reject, withdraw)
are in ``approval_actions``, the outbox's own writes in ``outbox_actions``, and what every writer
checks first in ``reply_checks``; ``approve_reply``, ``reject_reply`` and ``mark_sent`` may still be
imported from here, as the demo and some tests do. Callers own the transaction.

A submission may carry the client's own key (an API request's ``Idempotency-Key``, the case page's
form token): ``submission_keys`` turns it into the replies' keys and ``earlier_submission`` finds
what the same key made before, so a request sent again (a retry after a timeout, a second click)
answers with the first replies instead of sending the customer the words twice.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ombuds.cases.lifecycle import Actor, ensure_may_work, hold_and_reread
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.clock import utcnow
from ombuds.errors import Conflict, InvalidInput, NotFound
from ombuds.event_payloads import ReplyAwaitingApproval
from ombuds.mentions.models import Mention
from ombuds.responses import queries
from ombuds.responses.approval_actions import approve_reply as approve_reply
from ombuds.responses.approval_actions import reject_reply as reject_reply
from ombuds.responses.checker import blocks, check_reply
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.outbox_actions import mark_sent as mark_sent
from ombuds.responses.outbox_actions import settle_to_post
from ombuds.responses.posted_ids import posted_id
from ombuds.responses.reply_checks import (
    ReplyBlocked,
    case_approval_reason,
    check,
    clean_reply_text,
    ensure_draft_may_go,
    filled_for_case,
    record_reply_event,
)
from ombuds.responses.values import Visibility


def submit_reply(
    session: Session,
    *,
    case: Case,
    text: str,
    visibility: Visibility,
    actor: Actor,
    is_public_closing: bool = False,
    as_draft: bool = False,
    idempotency_key: str | None = None,
    submission_digest: str | None = None,
) -> Reply:
    """Check the reply and put it in the outbox, or in PR's queue when the brand's policy says so.

    ``as_draft``: a reply the desk writes for the agent (a fixed problem's message) waits on the
    case as a draft until the agent sends it (``send_draft``); one the policy holds goes to PR as usual.
    ``idempotency_key``: one of ``submission_keys`` (a fresh one by default), with the
    ``submission_digest`` of the request that sent it.
    Raises ``ReplyBlocked`` (nothing stored) when a finding blocks.
    """
    ensure_may_work(session, case=case, actor=actor)
    text = filled_for_case(session, case=case, text=clean_reply_text(text))
    findings = check_reply(queries.reply_draft(session, case=case, text=text, visibility=visibility))
    if blocks(findings):
        raise ReplyBlocked(findings)
    reason = case_approval_reason(session, case=case, visibility=visibility)
    now = utcnow()
    reply = Reply(
        brand_id=case.brand_id,
        case_id=case.id,
        author_id=actor.user_id,
        api_token_id=actor.api_token_id,
        visibility=visibility,
        channel=case.channel,
        text=text,
        status=(
            ReplyStatus.AWAITING_APPROVAL if reason else ReplyStatus.DRAFT if as_draft else ReplyStatus.QUEUED
        ),
        findings=[f.to_data() for f in findings],
        needs_approval=reason,
        idempotency_key=idempotency_key or uuid.uuid4().hex,
        submission_digest=submission_digest,
        next_attempt_at=None if reason or as_draft else now,
        is_public_closing=is_public_closing,
        created_at=now,
    )
    session.add(reply)
    session.flush()
    if reason:
        record_reply_event(
            session,
            reply=reply,
            actor_id=actor.user_id,
            payload=ReplyAwaitingApproval(
                reply_id=reply.id, visibility=visibility.value, reason=reason, api_token_id=actor.api_token_id
            ),
        )
    return reply


def send_draft(session: Session, *, reply: Reply, case: Case, actor: Actor) -> bool:
    """Send a draft as the agent's reply; False when it was not a draft (sent or withdrawn already).

    The case may have changed since the draft was written, so its words are checked again
    (``ReplyBlocked`` when a finding blocks) and the brand's approval policy is asked again: a
    draft on a case that became urgent waits for PR, as any reply written now would, instead of
    going to the outbox. The part of the desk that wrote it may refuse (``register_draft_guard``:
    a reopened problem's fix message), with a Conflict that says why. Either refusal comes before
    anything is written, so the draft stays a draft and the caller may go on with other drafts.
    """
    ensure_may_work(session, case=case, actor=actor)
    if reply.case_id != case.id or reply.status is not ReplyStatus.DRAFT:
        return False  # a reply never goes back to being a draft, so this is not stale
    ensure_draft_may_go(session, reply=reply)
    findings = check_reply(
        queries.reply_draft(session, case=case, text=reply.text, visibility=reply.visibility)
    )
    if blocks(findings):
        raise ReplyBlocked(findings)
    reason = case_approval_reason(session, case=case, visibility=reply.visibility)
    # the person who sends it answers for it; a token keeps the draft's writer
    sender = {"author_id": actor.user_id} if actor.user is not None else {}
    # A conditional update: of two people pressing send, only one moves the draft on.
    moved = session.execute(
        update(Reply)
        .where(Reply.id == reply.id, Reply.case_id == case.id, Reply.status == ReplyStatus.DRAFT)
        .values(
            status=ReplyStatus.AWAITING_APPROVAL if reason else ReplyStatus.QUEUED,
            next_attempt_at=None if reason else utcnow(),
            needs_approval=reason,
            findings=[f.to_data() for f in findings],
            **sender,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(reply)
    if moved and reason:
        record_reply_event(
            session,
            reply=reply,
            actor_id=actor.user_id,
            payload=ReplyAwaitingApproval(
                reply_id=reply.id,
                visibility=reply.visibility.value,
                reason=reason,
                api_token_id=actor.api_token_id,
            ),
        )
    return bool(moved)


def acknowledge_then_private(
    session: Session,
    *,
    case: Case,
    public_text: str,
    private_text: str,
    actor: Actor,
    idempotency_keys: tuple[str, str] | None = None,
    submission_digest: str | None = None,
) -> tuple[Reply, Reply]:
    """The public acknowledgement and the private reply, on the same case (one case, one SLA);
    ``idempotency_keys``: two of ``submission_keys``, the public reply's first."""
    # Both are checked before either is stored: a blocked private half must not leave a lone public one.
    for text, visibility in ((public_text, Visibility.PUBLIC), (private_text, Visibility.PRIVATE)):
        findings = check(session, case=case, text=clean_reply_text(text), visibility=visibility)
        if blocks(findings):
            raise ReplyBlocked(findings)
    public_key, private_key = idempotency_keys or (None, None)
    public, private = (
        submit_reply(
            session,
            case=case,
            text=text,
            visibility=visibility,
            actor=actor,
            idempotency_key=key,
            submission_digest=submission_digest,
        )
        for text, visibility, key in (
            (public_text, Visibility.PUBLIC, public_key),
            (private_text, Visibility.PRIVATE, private_key),
        )
    )
    return public, private


def submission_keys(brand_id: int, client_key: str, count: int = 1) -> list[str]:
    """The idempotency keys of the ``count`` replies one submission makes, from the client's key:
    the brand's own (two brands' clients may pick the same key) and as long as the column allows."""
    return [
        "s" + hashlib.sha256(f"{brand_id}\x00{part}/{count}\x00{client_key}".encode()).hexdigest()[:63]
        for part in range(count)
    ]


def submission_digest(request_body: str) -> str:
    """What a request asked for, in 64 hex digits: its body as the API read it."""
    return hashlib.sha256(request_body.encode()).hexdigest()


def earlier_submission(
    session: Session, *, case: Case, keys: Sequence[str], actor: Actor, digest: str | None = None
) -> list[Reply]:
    """The replies the submission with these keys already made, in order (none: make them now).

    Only someone who may reply asks. The case is then held, so of two requests with one key at once
    the second waits until the first is stored and then finds its replies. A key used before on
    another case is refused (Conflict), and so is one sent again with another body (``digest``,
    InvalidInput): the client sent two different submissions under one key, and replaying the
    first would tell it the second was stored.
    """
    ensure_may_work(session, case=case, actor=actor)
    hold_and_reread(session, case)
    found = list(session.scalars(select(Reply).where(Reply.idempotency_key.in_(keys)).order_by(Reply.id)))
    elsewhere = sorted({reply.case_id for reply in found if reply.case_id != case.id})
    if elsewhere:
        raise Conflict(
            f"this key was used for a reply on case #{elsewhere[0]}; use a new key for a new reply"
        )
    if digest is not None and any(reply.submission_digest not in (None, digest) for reply in found):
        raise InvalidInput(
            f"Idempotency-Key: this key was used for reply {found[0].id} with other words or settings; "
            "send the same request to get that reply, or use a new key for a new reply"
        )
    return found


def retry_reply(session: Session, *, reply: Reply, case: Case, actor: Actor) -> None:
    """Put a failed reply back in the outbox, with a fresh count of attempts and the same idempotency key."""
    ensure_may_work(session, case=case, actor=actor)
    if reply.status is not ReplyStatus.FAILED:
        raise Conflict(f"reply {reply.id} is {reply.status.said}; only a failed reply is retried")
    reply.status = ReplyStatus.QUEUED
    reply.attempts = 0
    reply.next_attempt_at = utcnow()


def mark_posted(
    session: Session, *, reply: Reply, case: Case, actor: Actor, external_id: str | None = None
) -> Mention:
    """Someone who works the case posted a reply ``TO_POST`` on its channel by hand: the customer has
    it from now, so it is sent now, by them (the case's first response and its clock go by this
    moment). Of two people saying so at once one wins; the other gets Conflict, as does a reply
    that is not waiting to be posted (withdrawn meanwhile, or sent by a sink).

    An answer on a case resolved meanwhile (as spam or a duplicate: a solved one waits for its
    replies) is refused: its first response would come after its resolution. A survey link or a
    public closing reply, which follow a resolution, are not.

    ``external_id``, the posted message's id or link (``posted_ids``), is stored as the outbound
    message's id, so the customer's answers to it join this case; one the desk stored for another
    of its messages is refused (Conflict).
    """
    if reply.case_id != case.id:
        raise NotFound(f"no reply {reply.id} on case {case.id}")
    ensure_may_work(session, case=case, actor=actor)
    if case.status not in OPEN_STATUSES and not reply.follows_resolution:  # spam or a duplicate meanwhile
        raise Conflict(
            f"reply {reply.id} cannot be marked posted: case #{case.id} is {case.status.value}; "
            "reopen it first, or withdraw the reply"
        )
    posted = posted_id(external_id or "")
    if posted is not None:
        other = queries.outbound_with_id(session, brand_id=case.brand_id, external_id=posted)
        if other is not None:
            raise Conflict(f"external_id: the desk's message {other} has the id {posted!r} already")
    claimed = session.execute(
        update(Reply)
        .where(Reply.id == reply.id, Reply.status == ReplyStatus.TO_POST)
        .values(status=ReplyStatus.SENT)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(reply)
    if not claimed:
        if reply.is_manual and reply.status is ReplyStatus.SENT:
            why = "it was marked posted already"
        else:
            why = f"it is {reply.status.said}, not waiting to be posted"
        raise Conflict(f"reply {reply.id} cannot be marked posted: {why}")
    now = utcnow()
    settle_to_post(session, reply=reply, at=now)
    return mark_sent(
        session,
        reply=reply,
        external_id=posted,
        at=now,
        actor_id=actor.user_id,
        api_token_id=actor.api_token_id,
    )
