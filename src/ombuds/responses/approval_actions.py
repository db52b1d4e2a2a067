"""The writers of decisions on replies not yet on their way: PR approves or rejects a held reply, its
author (or a manager or an admin) withdraws it, the desk withdraws drafts that are no longer true;
and the brand's policy of which replies wait for PR.

Each decision is a conditional update on the reply's status, so of two decisions at the same
moment exactly one takes effect and the other is told what happened instead. Callers own the
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.cases.lifecycle import Actor, acting_role, ensure_may_work, register_priority_guard
from ombuds.cases.models import Case, Priority
from ombuds.clock import utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.event_payloads import EventKind, ReplyApproved, ReplyRejected, ReplyWithdrawn
from ombuds.events import record_event
from ombuds.responses import queries
from ombuds.responses.approval_rules import (
    ApprovalPolicy,
    lowering_refusal,
    may_approve,
    may_set_policy,
    may_withdraw,
)
from ombuds.responses.checker import blocks
from ombuds.responses.models import STOPPABLE, WITHDRAWABLE, Reply, ReplyApprovalPolicy, ReplyStatus
from ombuds.responses.outbox_actions import settle_to_post
from ombuds.responses.reply_checks import (
    NOTE_MAX_CHARS,
    ReplyBlocked,
    check,
    clean_reply_text,
    ensure_draft_may_go,
    filled_for_case,
    record_reply_event,
)

#: Replies the approvers have let go: approved, then in the outbox or past it.
_LET_GO = (ReplyStatus.QUEUED, ReplyStatus.TO_POST, ReplyStatus.SENT, ReplyStatus.FAILED)


def _ensure_approver(session: Session, *, reply: Reply, actor: Actor) -> Role:
    role = get_role(session, user=actor.user, brand_id=reply.brand_id) if actor.user else Role.AGENT
    if not may_approve(role):
        who = actor.user.name if actor.user else "an integration token"
        shown = role.value if role else "not a member"
        raise Forbidden(f"{who} ({shown}) may not approve replies: PR, managers and admins do")
    assert role is not None
    return role


def _decided_by(session: Session, reply: Reply) -> str:
    """Who withdrew, rejected or approved the reply (``approver_id``)."""
    person = session.get(User, reply.approver_id) if reply.approver_id is not None else None
    return person.name if person is not None else "the desk"


def _as_stored(session: Session, reply: Reply, text: str) -> str:
    """``text`` as approving it would have stored it (cleaned, the case's fields filled in)."""
    case = session.get(Case, reply.case_id)
    assert case is not None
    return filled_for_case(session, case=case, text=clean_reply_text(text))


def approve_reply(
    session: Session, *, reply: Reply, actor: Actor, note: str = "", text: str | None = None
) -> bool:
    """Release a held reply to the outbox, with the approver's edits if any; False if it was not waiting.

    Approving a reply that was approved already changes nothing, so it is sent once. A reply
    withdrawn or rejected meanwhile is not approved, nor are edits made to one approved meanwhile:
    Conflict, which says who decided it, so nobody takes a 200 for words that will not go out.
    """
    _ensure_approver(session, reply=reply, actor=actor)
    note = note.strip()[:NOTE_MAX_CHARS]
    if reply.status is ReplyStatus.AWAITING_APPROVAL:
        ensure_draft_may_go(session, reply=reply)
    if text is not None and reply.status is ReplyStatus.AWAITING_APPROVAL:
        case = session.get(Case, reply.case_id)
        assert case is not None
        # filled here, so the words stored and sent are the ones the checker read
        text = filled_for_case(session, case=case, text=clean_reply_text(text))
        findings = check(session, case=case, text=text, visibility=reply.visibility)
        if blocks(findings):
            raise ReplyBlocked(findings)
    now = utcnow()
    # A conditional update: of two approvals racing (or an approval and a withdrawal), only one moves the reply on.
    moved = session.execute(
        update(Reply)
        .where(Reply.id == reply.id, Reply.status == ReplyStatus.AWAITING_APPROVAL)
        .values(status=ReplyStatus.QUEUED, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(reply)
    if not moved:
        if reply.status in (ReplyStatus.WITHDRAWN, ReplyStatus.REJECTED):
            raise Conflict(
                f"reply {reply.id} cannot be approved: it was {reply.status.said} by {_decided_by(session, reply)}"
            )
        if text is not None and _as_stored(session, reply, text) != reply.text:
            if reply.status is ReplyStatus.QUEUED:
                where = "it is on its way to the customer"
            elif reply.status is ReplyStatus.TO_POST:
                where = "it waits to be posted by hand as it is"
            else:
                where = f"it is {reply.status.said}"
            raise Conflict(
                f"reply {reply.id} was approved by {_decided_by(session, reply)} as it was; your edits "
                f"were not applied ({where})"
            )
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
    record_reply_event(
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
        let_go = reply.status in _LET_GO
        why = (
            f"it was approved already and is {reply.status.said}"
            if let_go
            else f"it is {reply.status.said}, not awaiting approval"
        )
        raise Conflict(f"reply {reply.id} cannot be rejected: {why}")
    record_reply_event(
        session,
        reply=reply,
        actor_id=actor.user_id,
        payload=ReplyRejected(
            reply_id=reply.id, visibility=reply.visibility.value, note=note, api_token_id=actor.api_token_id
        ),
    )


def _record_withdrawal(
    session: Session, *, reply: Reply, actor_id: int | None, note: str | None, api_token_id: int | None = None
) -> None:
    payload = ReplyWithdrawn(
        reply_id=reply.id, visibility=reply.visibility.value, note=note, api_token_id=api_token_id
    )
    record_reply_event(session, reply=reply, actor_id=actor_id, payload=payload)
    settle_to_post(session, reply=reply, at=utcnow())


def withdraw_reply(session: Session, *, reply: Reply, case: Case, actor: Actor) -> None:
    """Take back a reply before the customer has it: one that waits for PR (it is never approved
    nor sent), or one that waits to be posted by hand (it is not to be posted).

    Its author withdraws their own; managers and admins any on their brand (Forbidden otherwise,
    and for a token made for no person). A reply that is not waiting any more (approved, rejected,
    posted or withdrawn meanwhile) is left as it is: Conflict, which says what became of it.
    """
    if reply.case_id != case.id:
        raise NotFound(f"no reply {reply.id} on case {case.id}")
    ensure_may_work(session, case=case, actor=actor)
    if actor.user is None:
        raise Forbidden(
            "a token made for no person may not withdraw replies: their author, managers and admins do"
        )
    role = acting_role(session, actor=actor, brand_id=reply.brand_id)
    if not may_withdraw(role, is_author=reply.author_id == actor.user.id):
        raise Forbidden(
            f"{actor.user.name} may not withdraw reply {reply.id}: its author, managers and admins do"
        )
    # A conditional update: of a withdrawal and an approval at the same moment, exactly one wins.
    moved = session.execute(
        update(Reply)
        .where(Reply.id == reply.id, Reply.status.in_(WITHDRAWABLE))
        .values(
            status=ReplyStatus.WITHDRAWN, approver_id=actor.user.id, decided_at=utcnow(), next_attempt_at=None
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(reply)
    if not moved:
        if reply.status in _LET_GO:
            why = f"it was approved already and is {reply.status.said}"
        elif reply.status is ReplyStatus.WITHDRAWN:
            why = "it was withdrawn already"
        else:
            why = f"it is {reply.status.said}, not waiting for approval or to be posted"
        raise Conflict(f"reply {reply.id} cannot be withdrawn: {why}")
    _record_withdrawal(
        session, reply=reply, actor_id=actor.user.id, note=None, api_token_id=actor.api_token_id
    )


def withdraw_replies(
    session: Session, *, reply_ids: Sequence[int], note: str, actor_id: int | None
) -> list[int]:
    """Stop replies the desk drafted that are no longer true (a fix message of a reopened problem).

    Only a reply not yet on its way is stopped: a draft, one held for PR, one to post by hand. It is marked
    withdrawn with ``note`` (the agent reads why on the case) and a ``reply.withdrawn`` event; one
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
                Reply.status.in_(STOPPABLE),
            )
            .values(
                status=ReplyStatus.WITHDRAWN,
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
        _record_withdrawal(session, reply=reply, actor_id=actor_id, note=note)
        stopped.append(reply_id)
    return stopped


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


def _lowering_urgent(session: Session, case: Case, chosen: Priority, role: Role | None) -> str | None:
    policy = queries.approval_policy(session, brand_id=case.brand_id)
    return lowering_refusal(policy=policy, current=case.priority, chosen=int(chosen), role=role)


register_priority_guard(_lowering_urgent)
