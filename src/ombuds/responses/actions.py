"""The only writers of replies: submit (checked, maybe held for PR), approve, reject, retry, delivery outcomes.

A reply is checked again on every write that changes its words; a finding that blocks refuses
the write with the findings (``ReplyBlocked``). Nothing here sends: a queued reply waits in the
outbox for ``sending.deliver_due_replies``. Callers own the transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from cryptography.fernet import Fernet
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.cases.actions import attach_mention
from ombuds.cases.lifecycle import Actor, ensure_may_work
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput, OmbudsError
from ombuds.event_payloads import (
    EventKind,
    ReplyApproved,
    ReplyAwaitingApproval,
    ReplyEvent,
    ReplyFailed,
    ReplyRejected,
    ReplySent,
    SurveyNotSent,
    SurveySent,
)
from ombuds.events import record_event
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.responses import queries
from ombuds.responses.approval_rules import ApprovalPolicy, approval_reason, may_approve, may_set_policy
from ombuds.responses.checker import blocks, check_reply
from ombuds.responses.models import Reply, ReplyApprovalPolicy, ReplyStatus
from ombuds.responses.values import ReplyFinding, Visibility
from ombuds.surveys.models import Survey, SurveySetting
from ombuds.surveys.values import SurveyDelivery, survey_message, survey_path

REPLY_MAX_CHARS = 50_000
NOTE_MAX_CHARS = 5_000
#: The source that outbound replies sent from Ombuds are stored under, one per brand.
REPLY_SOURCE_KIND = "ombuds"
REPLY_SOURCE_NAME = "Replies sent from Ombuds"

#: A check by the part of the desk that wrote a draft (problems: its fix message) before the draft
#: goes out: why it must not go now, or None. Registered, so this package need not import its writers.
DraftGuard = Callable[[Session, Reply], str | None]
_draft_guards: list[DraftGuard] = []


def register_draft_guard(guard: DraftGuard) -> None:
    """Ask ``guard`` before a draft (or a held reply) is sent or approved; once per guard."""
    if guard not in _draft_guards:
        _draft_guards.append(guard)


def _ensure_draft_may_go(session: Session, *, reply: Reply) -> None:
    for guard in _draft_guards:
        refusal = guard(session, reply)
        if refusal:
            raise Conflict(refusal)


class ReplyBlocked(OmbudsError):
    """The checker found something that stops this reply; ``findings`` say what and where."""

    def __init__(self, findings: Sequence[ReplyFinding]) -> None:
        self.findings = list(findings)
        blocking = [f for f in findings if f.severity == "block"]
        super().__init__("the reply cannot be sent: " + "; ".join(f.message for f in blocking))


def fill_variables(text: str, *, customer_name: str | None, case_ref: str) -> str:
    """Put the customer's name and the case reference where the agent wrote {customer_name} and {case_ref}."""
    return text.replace("{customer_name}", customer_name or "there").replace("{case_ref}", case_ref)


def _clean(text: str, *, field: str = "text") -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"{field}: write the reply (it was empty)")
    if len(text) > REPLY_MAX_CHARS:
        raise InvalidInput(f"{field}: at most {REPLY_MAX_CHARS} characters (got {len(text)})")
    return text


def check(session: Session, *, case: Case, text: str, visibility: Visibility) -> list[ReplyFinding]:
    """What the checker says of this text as a reply on the case (variables filled in first)."""
    filled = fill_variables(
        text, customer_name=queries.customer_name(session, case=case), case_ref=queries.case_reference(case)
    )
    return check_reply(queries.reply_draft(session, case=case, text=filled, visibility=visibility))


def _event(session: Session, *, reply: Reply, actor_id: int | None, payload: ReplyEvent) -> None:
    record_event(
        session,
        brand_id=reply.brand_id,
        subject_type="case",
        subject_id=reply.case_id,
        actor_id=actor_id,
        payload=payload,
        occurred_at=utcnow(),
    )


def _approval_reason(session: Session, *, case: Case, visibility: Visibility) -> str | None:
    """Why the brand's policy holds this reply for PR now, or None."""
    _, _, signals = queries.case_signals(session, case=case)
    return approval_reason(
        policy=queries.approval_policy(session, brand_id=case.brand_id),
        visibility=visibility,
        priority=case.priority,
        signals=signals,
        has_active_incident=queries.has_active_incident(session, case=case),
    )


def submit_reply(
    session: Session,
    *,
    case: Case,
    text: str,
    visibility: Visibility,
    actor: Actor,
    is_public_closing: bool = False,
    as_draft: bool = False,
) -> Reply:
    """Check the reply and put it in the outbox, or in PR's queue when the brand's policy says so.

    ``as_draft``: a reply the desk writes for the agent (a fixed problem's message) waits on the
    case as a draft until the agent sends it (``send_draft``); one the policy holds goes to PR as usual.
    Raises ``ReplyBlocked`` (nothing stored) when a finding blocks.
    """
    ensure_may_work(session, case=case, actor=actor)
    text = fill_variables(
        _clean(text),
        customer_name=queries.customer_name(session, case=case),
        case_ref=queries.case_reference(case),
    )
    findings = check_reply(queries.reply_draft(session, case=case, text=text, visibility=visibility))
    if blocks(findings):
        raise ReplyBlocked(findings)
    reason = _approval_reason(session, case=case, visibility=visibility)
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
        idempotency_key=uuid.uuid4().hex,
        next_attempt_at=None if reason or as_draft else now,
        is_public_closing=is_public_closing,
        created_at=now,
    )
    session.add(reply)
    session.flush()
    if reason:
        _event(
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
    a reopened problem's fix message), with a Conflict that says why.
    """
    ensure_may_work(session, case=case, actor=actor)
    if reply.case_id != case.id or reply.status is not ReplyStatus.DRAFT:
        return False  # a reply never goes back to being a draft, so this is not stale
    _ensure_draft_may_go(session, reply=reply)
    findings = check_reply(
        queries.reply_draft(session, case=case, text=reply.text, visibility=reply.visibility)
    )
    if blocks(findings):
        raise ReplyBlocked(findings)
    reason = _approval_reason(session, case=case, visibility=reply.visibility)
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
        _event(
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


def withdraw_replies(
    session: Session, *, reply_ids: Sequence[int], note: str, actor_id: int | None
) -> list[int]:
    """Stop replies the desk drafted that are no longer true (a fix message of a reopened problem).

    Only a reply not yet on its way is stopped: a draft, or one held for PR. It is marked
    rejected with ``note`` (the agent reads why on the case) and a ``reply.rejected`` event; one
    queued or sent already is left alone. The ids of the replies stopped.
    """
    now = utcnow()
    stopped = []
    for reply_id in reply_ids:
        # conditional, so a draft someone sends at this moment is either sent or stopped, not both
        moved = session.execute(
            update(Reply)
            .where(
                Reply.id == reply_id,
                Reply.status.in_((ReplyStatus.DRAFT, ReplyStatus.AWAITING_APPROVAL)),
            )
            .values(
                status=ReplyStatus.REJECTED,
                decision_note=note,
                decided_at=now,
                approver_id=actor_id,
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not moved:
            continue
        reply = session.get(Reply, reply_id)
        assert reply is not None
        session.refresh(reply)
        _event(
            session,
            reply=reply,
            actor_id=actor_id,
            payload=ReplyRejected(reply_id=reply.id, visibility=reply.visibility.value, note=note),
        )
        stopped.append(reply_id)
    return stopped


def acknowledge_then_private(
    session: Session, *, case: Case, public_text: str, private_text: str, actor: Actor
) -> tuple[Reply, Reply]:
    """The public acknowledgement and the private reply, on the same case (one case, one SLA)."""
    # Both are checked before either is stored: a blocked private half must not leave a lone public one.
    for text, visibility in ((public_text, Visibility.PUBLIC), (private_text, Visibility.PRIVATE)):
        findings = check(session, case=case, text=_clean(text), visibility=visibility)
        if blocks(findings):
            raise ReplyBlocked(findings)
    public = submit_reply(session, case=case, text=public_text, visibility=Visibility.PUBLIC, actor=actor)
    private = submit_reply(session, case=case, text=private_text, visibility=Visibility.PRIVATE, actor=actor)
    return public, private


def _ensure_approver(session: Session, *, reply: Reply, actor: Actor) -> Role:
    role = get_role(session, user=actor.user, brand_id=reply.brand_id) if actor.user else Role.AGENT
    if not may_approve(role):
        who = actor.user.name if actor.user else "an integration token"
        shown = role.value if role else "not a member"
        raise Forbidden(f"{who} ({shown}) may not approve replies: PR, managers and admins do")
    assert role is not None
    return role


def approve_reply(
    session: Session, *, reply: Reply, actor: Actor, note: str = "", text: str | None = None
) -> bool:
    """Release a held reply to the outbox, with the approver's edits if any; False if it was not waiting.

    Approving a reply that was approved (or decided) already changes nothing, so it is sent once.
    """
    _ensure_approver(session, reply=reply, actor=actor)
    note = note.strip()[:NOTE_MAX_CHARS]
    if reply.status is ReplyStatus.AWAITING_APPROVAL:
        _ensure_draft_may_go(session, reply=reply)
    if text is not None and reply.status is ReplyStatus.AWAITING_APPROVAL:
        case = session.get(Case, reply.case_id)
        assert case is not None
        # filled here, so the words stored and sent are the ones the checker read
        text = fill_variables(
            _clean(text),
            customer_name=queries.customer_name(session, case=case),
            case_ref=queries.case_reference(case),
        )
        findings = check(session, case=case, text=text, visibility=reply.visibility)
        if blocks(findings):
            raise ReplyBlocked(findings)
    now = utcnow()
    # A conditional update: of two approvals racing, only one moves the reply on.
    moved = session.execute(
        update(Reply)
        .where(Reply.id == reply.id, Reply.status == ReplyStatus.AWAITING_APPROVAL)
        .values(status=ReplyStatus.QUEUED, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(reply)
    if not moved:
        return False
    edited = text is not None and text != reply.text
    if edited:
        assert text is not None
        reply.text = text
        case = session.get(Case, reply.case_id)
        assert case is not None
        reply.findings = [
            f.to_data() for f in check(session, case=case, text=text, visibility=reply.visibility)
        ]
    reply.approver_id = actor.user_id
    reply.decision_note = note or None
    reply.decided_at = now
    _event(
        session,
        reply=reply,
        actor_id=actor.user_id,
        payload=ReplyApproved(
            reply_id=reply.id,
            visibility=reply.visibility.value,
            note=note or None,
            edited=edited,
            api_token_id=actor.api_token_id,
        ),
    )
    return True


def reject_reply(session: Session, *, reply: Reply, actor: Actor, note: str) -> None:
    """Turn a held reply down with a note the agent reads on the case."""
    _ensure_approver(session, reply=reply, actor=actor)
    note = note.strip()
    if not note:
        raise InvalidInput("note: say why the reply is rejected, so the agent can write a better one")
    if len(note) > NOTE_MAX_CHARS:
        raise InvalidInput(f"note: at most {NOTE_MAX_CHARS} characters (got {len(note)})")
    # A conditional update, as in approve_reply: a reply another approver let go meanwhile stays let go.
    moved = session.execute(
        update(Reply)
        .where(Reply.id == reply.id, Reply.status == ReplyStatus.AWAITING_APPROVAL)
        .values(
            status=ReplyStatus.REJECTED, approver_id=actor.user_id, decision_note=note, decided_at=utcnow()
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(reply)
    if not moved:
        let_go = reply.status in (ReplyStatus.QUEUED, ReplyStatus.SENT, ReplyStatus.FAILED)
        why = (
            f"it was approved already and is {reply.status.value}"
            if let_go
            else f"it is {reply.status.value.replace('_', ' ')}, not awaiting approval"
        )
        raise Conflict(f"reply {reply.id} cannot be rejected: {why}")
    _event(
        session,
        reply=reply,
        actor_id=actor.user_id,
        payload=ReplyRejected(
            reply_id=reply.id, visibility=reply.visibility.value, note=note, api_token_id=actor.api_token_id
        ),
    )


def retry_reply(session: Session, *, reply: Reply, case: Case, actor: Actor) -> None:
    """Put a failed reply back in the outbox, with a fresh count of attempts and the same idempotency key."""
    ensure_may_work(session, case=case, actor=actor)
    if reply.status is not ReplyStatus.FAILED:
        raise Conflict(f"reply {reply.id} is {reply.status.value}; only a failed reply is retried")
    reply.status = ReplyStatus.QUEUED
    reply.attempts = 0
    reply.next_attempt_at = utcnow()


# --- delivery outcomes (written by sending.py, one reply per transaction) --------------------------


def claim_reply(session: Session, *, reply_id: int, due_before: datetime, lease_until: datetime) -> bool:
    """Take a due reply for one delivery attempt; False when someone else took it first.

    The lease moves ``next_attempt_at`` on, so a second sender (the runner and ``ombuds replies
    send`` at once) does not pick the same reply until the attempt has had time to finish.
    """
    claimed = session.execute(
        update(Reply)
        .where(
            Reply.id == reply_id,
            Reply.status == ReplyStatus.QUEUED,
            Reply.next_attempt_at <= due_before,
        )
        .values(next_attempt_at=lease_until, attempts=Reply.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(claimed)


def queue_survey_link(
    session: Session, *, survey_id: int, public_url: str, now: datetime, box: Fernet | None = None
) -> SurveyDelivery | None:
    """Put the survey link of a resolved case in the outbox, once per offer; None when taken already.

    The message goes on the case's channel when a sink serves it, else by email when the customer
    has an address; with neither it is left to the agent (the link stays on the case page). ``box``
    opens the sources' settings, so a mailbox the customer wrote to can carry it (``survey_route``).
    """
    # the claim: of two runners, only the one whose update changes the row sends the link
    claimed = session.execute(
        update(Survey)
        .where(Survey.id == survey_id, Survey.delivery.is_(None), Survey.answered_at.is_(None))
        .values(delivery=SurveyDelivery.QUEUED)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        return None
    survey = session.get(Survey, survey_id)
    assert survey is not None
    session.refresh(survey)
    case = session.get(Case, survey.case_id)
    assert case is not None
    route = queries.survey_route(session, case=case, box=box)
    if route is None:
        survey.delivery = SurveyDelivery.UNREACHABLE
        payload: SurveySent | SurveyNotSent = SurveyNotSent(channel=case.channel)
    else:
        wording = session.scalar(select(SurveySetting.message).where(SurveySetting.brand_id == case.brand_id))
        reply = Reply(
            brand_id=case.brand_id,
            case_id=case.id,
            visibility=Visibility.PRIVATE,
            channel=route.channel,
            text=survey_message(
                wording,
                first_name=survey.first_name,
                subject=survey.subject,
                url=public_url.rstrip("/") + survey_path(survey.token),
            ),
            status=ReplyStatus.QUEUED,
            findings=[],
            # one message per offer, even if two runners got this far
            idempotency_key=f"survey-{survey.id}-{survey.offered_at:%Y%m%dT%H%M%S%f}",
            next_attempt_at=now,
            is_survey=True,
            created_at=now,
        )
        session.add(reply)
        session.flush()
        survey.reply_id = reply.id
        payload = SurveySent(reply_id=reply.id, channel=route.channel, by_email=route.by_email)
    record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=payload,
        occurred_at=now,
    )
    return survey.delivery


def _reply_source(session: Session, *, brand_id: int) -> Source:
    source = session.scalar(
        select(Source).where(Source.brand_id == brand_id, Source.name == REPLY_SOURCE_NAME)
    )
    if source is None:
        source = Source(brand_id=brand_id, kind=REPLY_SOURCE_KIND, name=REPLY_SOURCE_NAME, config={})
        session.add(source)
        session.flush()
    return source


def mark_sent(
    session: Session, *, reply: Reply, external_id: str | None, at: datetime, is_manual: bool = False
) -> Mention:
    """The reply went out (or, with no sink, is to be posted by hand): store it as an outbound message.

    The message is stored past every pipeline stage, so threading never takes it for a new
    customer message; attaching it to the case stamps the first response.
    """
    case = session.get(Case, reply.case_id)
    assert case is not None
    brand_source = _reply_source(session, brand_id=reply.brand_id)
    mention = Mention(
        brand_id=reply.brand_id,
        source_id=brand_source.id,
        external_id=external_id or f"ombuds-reply-{reply.id}",
        channel=reply.channel,
        direction=Direction.OUTBOUND,
        is_public=reply.visibility is Visibility.PUBLIC,
        author_handle=f"ombuds:{reply.author_id or 'token'}",
        author_name=None,
        text=reply.text,
        in_reply_to=queries.last_inbound_external_id(session, case=case),
        metrics={},
        created_at=at,
        raw=json.dumps({"reply_id": reply.id, "text": reply.text}).encode(),
        raw_format="json",
        stage=Stage.DETECTED,
        customer_id=case.customer_id,
    )
    session.add(mention)
    session.flush()
    if reply.is_survey:
        mention.case_id = case.id  # on the case's history, but no answer to the customer's problem
    else:
        attach_mention(session, case=case, mention=mention)
    reply.status = ReplyStatus.SENT
    reply.sent_at = at
    reply.external_id = external_id
    reply.is_manual = is_manual
    reply.mention_id = mention.id
    reply.next_attempt_at = None
    reply.last_error = None
    _event(
        session,
        reply=reply,
        actor_id=None,
        payload=ReplySent(
            reply_id=reply.id, visibility=reply.visibility.value, mention_id=mention.id, is_manual=is_manual
        ),
    )
    return mention


def mark_retry(session: Session, *, reply: Reply, error: str, next_attempt_at: datetime) -> None:
    """A passing failure (timeout, 5xx, no connection): try again later."""
    reply.last_error = error[:2000]
    reply.next_attempt_at = next_attempt_at


def mark_failed(session: Session, *, reply: Reply, error: str) -> None:
    """The sink refused the reply, or retries ran out: it stays failed until someone retries it."""
    reply.status = ReplyStatus.FAILED
    reply.last_error = error[:2000]
    reply.next_attempt_at = None
    _event(
        session,
        reply=reply,
        actor_id=None,
        payload=ReplyFailed(reply_id=reply.id, visibility=reply.visibility.value, error=error[:500]),
    )


def set_approval_policy(session: Session, *, brand_id: int, policy: ApprovalPolicy, actor: Actor) -> None:
    """Switch the brand's reasons for holding public replies for PR; managers and admins only.

    Replies already waiting stay in the queue: the change applies to replies written from now on.
    """
    role = get_role(session, user=actor.user, brand_id=brand_id) if actor.user else Role.AGENT
    if not may_set_policy(role):
        who = actor.user.name if actor.user else "an integration token"
        raise Forbidden(f"{who} may not change which replies wait for PR: managers and admins do")
    row = session.scalar(select(ReplyApprovalPolicy).where(ReplyApprovalPolicy.brand_id == brand_id))
    if row is None:
        row = ReplyApprovalPolicy(brand_id=brand_id)
        session.add(row)
    row.on_priority_1 = policy.on_priority_1
    row.on_media_author = policy.on_media_author
    row.on_active_incident = policy.on_active_incident
    session.flush()
    record_event(
        session,
        brand_id=brand_id,
        kind=EventKind.REPLY_APPROVAL_POLICY_CHANGED,
        subject_type="brand",
        subject_id=brand_id,
        actor_id=actor.user_id,
        data={
            "on_priority_1": policy.on_priority_1,
            "on_media_author": policy.on_media_author,
            "on_active_incident": policy.on_active_incident,
        },
    )
