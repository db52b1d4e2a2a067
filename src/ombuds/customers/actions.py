"""The writers of merges: two customers become one, two cases become one, and each can be undone.

A customer merge moves the other record's identities, cases and messages to the kept one and
deletes the other; its ``customer.merged`` event keeps what moved (and the other's name and
creation time), so ``unmerge_customers`` restores the same id with the same rows. A case merge
moves the other case's messages and history to the kept case and resolves the other as a
duplicate; ``unmerge_cases`` moves them back and reopens it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ombuds.accounts.queries import get_role
from ombuds.cases.actions import move_case, set_case_status
from ombuds.cases.lifecycle import Actor, hold_and_reread
from ombuds.cases.models import OPEN_STATUSES, REPLY_TABLE, Case, CaseStatus, Customer, Identity
from ombuds.cases.reach import refresh_reach
from ombuds.cases.values import ResolvedAs
from ombuds.cases.workflow import may_work
from ombuds.clock import as_utc, utcnow
from ombuds.errors import Conflict, Forbidden, InvalidInput
from ombuds.event_payloads import (
    CaseMerged,
    CasePriorityChanged,
    CaseUnmerged,
    CustomerMerged,
    CustomerUnmerged,
    parse_payload,
)
from ombuds.events import Event, record_event
from ombuds.mentions.models import Mention


def merge_customers(session: Session, *, kept: Customer, other: Customer, actor: Actor) -> Event:
    """Make ``other`` part of ``kept``: one person with every identity, case and message of both."""
    if kept.id == other.id:
        raise InvalidInput(f"other_id: customer {other.id} is the customer itself; name another")
    if kept.brand_id != other.brand_id:
        raise Conflict(
            f"customers {kept.id} and {other.id} belong to different brands; only one brand's customers merge"
        )
    identity_ids = list(session.scalars(select(Identity.id).where(Identity.customer_id == other.id)))
    case_ids = list(session.scalars(select(Case.id).where(Case.customer_id == other.id)))
    mention_ids = list(session.scalars(select(Mention.id).where(Mention.customer_id == other.id)))
    session.execute(update(Identity).where(Identity.id.in_(identity_ids)).values(customer_id=kept.id))
    session.execute(update(Case).where(Case.id.in_(case_ids)).values(customer_id=kept.id))
    session.execute(update(Mention).where(Mention.id.in_(mention_ids)).values(customer_id=kept.id))
    payload = CustomerMerged(
        other_id=other.id,
        other_name=other.display_name,
        other_created_at=as_utc(other.created_at).isoformat(),
        identity_ids=tuple(identity_ids),
        case_ids=tuple(case_ids),
        mention_ids=tuple(mention_ids),
        api_token_id=actor.api_token_id,
    )
    session.delete(other)
    session.flush()
    refresh_reach(session, customer_ids=[kept.id])
    return record_event(
        session,
        brand_id=kept.brand_id,
        subject_type="customer",
        subject_id=kept.id,
        payload=payload,
        actor_id=actor.user_id,
    )


def unmerge_customers(session: Session, *, merge: Event, actor: Actor) -> Customer:
    """Undo a ``customer.merged`` event: the other customer is back, with what it brought."""
    payload = parse_payload(merge.kind, merge.data, where=f"event {merge.id}")
    if not isinstance(payload, CustomerMerged):
        raise InvalidInput(f"event {merge.id} is a {merge.kind}, not a customer merge")
    if session.get(Customer, payload.other_id) is not None:
        raise Conflict(f"customer {payload.other_id} is already separate; the merge was undone before")
    other = Customer(
        id=payload.other_id,
        brand_id=merge.brand_id,
        display_name=payload.other_name,
        created_at=datetime.fromisoformat(payload.other_created_at),
    )
    session.add(other)
    session.flush()
    kept_id = merge.subject_id
    # only rows still with the kept customer go back (a later merge may have moved them on)
    for model, ids in (
        (Identity, payload.identity_ids),
        (Case, payload.case_ids),
        (Mention, payload.mention_ids),
    ):
        if ids:
            session.execute(
                update(model)
                .where(model.id.in_(ids), model.customer_id == kept_id)
                .values(customer_id=other.id)
            )
    refresh_reach(session, customer_ids=[kept_id, other.id])
    record_event(
        session,
        brand_id=merge.brand_id,
        subject_type="customer",
        subject_id=kept_id,
        payload=CustomerUnmerged(other_id=other.id, merge_event_id=merge.id, api_token_id=actor.api_token_id),
        actor_id=actor.user_id,
    )
    return other


def merge_cases(
    session: Session, *, kept: Case, other: Case, actor: Actor, at: datetime | None = None
) -> Event:
    """Make ``other`` part of ``kept``: its messages and history move; it is resolved as a duplicate."""
    if kept.id == other.id:
        raise InvalidInput(f"other_id: case #{other.id} is the case itself; name another")
    if kept.brand_id != other.brand_id:
        raise Conflict(
            f"cases {kept.id} and {other.id} belong to different brands; only one brand's cases merge"
        )
    # Both cases as they are once no one else may change them: two people merging A into B and
    # B into A at once would otherwise each fold a live case into one being closed.
    hold_and_reread(session, kept, other)
    if kept.status not in OPEN_STATUSES:
        raise Conflict(
            f"case #{kept.id} is {kept.status.value}: reopen it before merging case #{other.id} into it"
        )
    _refuse_while_a_reply_waits(session, other=other, kept=kept)
    at = at or utcnow()
    mention_ids = list(session.scalars(select(Mention.id).where(Mention.case_id == other.id)))
    event_ids = list(
        session.scalars(select(Event.id).where(Event.subject_type == "case", Event.subject_id == other.id))
    )
    session.execute(update(Mention).where(Mention.id.in_(mention_ids)).values(case_id=kept.id))
    session.execute(update(Event).where(Event.id.in_(event_ids)).values(subject_id=kept.id))
    if other.status in OPEN_STATUSES:
        move_case(
            session,
            case=other,
            status=CaseStatus.RESOLVED,
            at=at,
            actor_id=actor.user_id,
            api_token_id=actor.api_token_id,
            note=f"merged into case #{kept.id}",
            resolved_as=ResolvedAs.DUPLICATE,
        )
    kept.last_activity_at = max(as_utc(kept.last_activity_at), as_utc(other.last_activity_at))
    if other.priority < kept.priority:  # 1 is urgent: a merge never makes a conversation less urgent
        record_event(
            session,
            brand_id=kept.brand_id,
            subject_type="case",
            subject_id=kept.id,
            payload=CasePriorityChanged(
                previous=kept.priority,
                priority=other.priority,
                reason=f"merged with case #{other.id}, which was more urgent",
                api_token_id=actor.api_token_id,
            ),
            actor_id=actor.user_id,
            occurred_at=at,
        )
        kept.priority = other.priority
    return record_event(
        session,
        brand_id=kept.brand_id,
        subject_type="case",
        subject_id=kept.id,
        payload=CaseMerged(
            other_id=other.id,
            mention_ids=tuple(mention_ids),
            event_ids=tuple(event_ids),
            api_token_id=actor.api_token_id,
        ),
        actor_id=actor.user_id,
        occurred_at=at,
    )


#: A reply waiting on the case merged away would go out on a case resolved as a duplicate, and its
#: approval be lost from the live one's page.
_WAITING = ("awaiting_approval", "queued", "to_post", "failed")  # ``ReplyStatus``: not out yet, not given up


_SAID = {"to_post": "to be posted by hand"}


def _refuse_while_a_reply_waits(session: Session, *, other: Case, kept: Case) -> None:
    waiting = session.execute(
        select(REPLY_TABLE.c.id, REPLY_TABLE.c.status)
        .where(REPLY_TABLE.c.case_id == other.id, REPLY_TABLE.c.status.in_(_WAITING))
        .order_by(REPLY_TABLE.c.id)
        .limit(1)
    ).first()
    if waiting is not None:
        raise Conflict(
            f"case #{other.id} cannot be merged into case #{kept.id} while its reply {waiting.id} is "
            f"{_SAID.get(waiting.status, waiting.status.replace('_', ' '))}: let it go out (or post it and mark it "
            "posted), or have it withdrawn or rejected, then merge"
        )


def unmerge_cases(session: Session, *, merge: Event, actor: Actor, at: datetime | None = None) -> Case:
    """Undo a ``case.merged`` event: the other case has its messages and history back, and is open."""
    payload = parse_payload(merge.kind, merge.data, where=f"event {merge.id}")
    if not isinstance(payload, CaseMerged):
        raise InvalidInput(f"event {merge.id} is a {merge.kind}, not a case merge")
    other = session.get(Case, payload.other_id)
    if other is None:
        raise Conflict(f"case #{payload.other_id} no longer exists")
    if other.status in OPEN_STATUSES:
        raise Conflict(f"case #{other.id} is open already; the merge was undone before")
    kept_id = merge.subject_id
    if payload.mention_ids:
        session.execute(
            update(Mention)
            .where(Mention.id.in_(payload.mention_ids), Mention.case_id == kept_id)
            .values(case_id=other.id)
        )
    if payload.event_ids:
        session.execute(
            update(Event)
            .where(Event.id.in_(payload.event_ids), Event.subject_id == kept_id)
            .values(subject_id=other.id)
        )
    set_case_status(
        session,
        case=other,
        status=CaseStatus.OPEN,
        at=at or utcnow(),
        actor_id=actor.user_id,
        api_token_id=actor.api_token_id,
        note=f"taken apart from case #{kept_id} again",
    )
    record_event(
        session,
        brand_id=merge.brand_id,
        subject_type="case",
        subject_id=kept_id,
        payload=CaseUnmerged(other_id=other.id, merge_event_id=merge.id, api_token_id=actor.api_token_id),
        actor_id=actor.user_id,
    )
    return other


def ensure_may_merge(session: Session, *, brand_id: int, actor: Actor) -> None:
    """Refuse viewers: merging changes who a case belongs to."""
    if actor.user is None:
        return  # the brand's API token; the edge found the rows within the token's brand
    role = get_role(session, user=actor.user, brand_id=brand_id)
    if not may_work(role):
        raise Forbidden(f"{actor.user.name} may read this brand's customers but not merge them")
