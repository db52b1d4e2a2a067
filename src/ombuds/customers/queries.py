"""Reads of customers, scoped to the brands the caller may see."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case, Customer, Identity, handle_among
from ombuds.customers.schemas import (
    CustomerCaseRead,
    CustomerIdentityRead,
    CustomerMentionRead,
    CustomerNoteRead,
    CustomerProfileRead,
    CustomerSurveyRead,
)
from ombuds.event_payloads import (
    CaseMerged,
    CaseNoteAdded,
    CaseUnmerged,
    CustomerMerged,
    CustomerUnmerged,
    EventKind,
    parse_payload,
)
from ombuds.events import Event
from ombuds.mentions.models import Mention
from ombuds.mentions.values import channel_key
from ombuds.shown_brands import note_shown
from ombuds.surveys.models import Survey

#: The most messages a profile lists (the newest); a customer who wrote more is a rare bot.
MAX_MENTIONS = 500

#: The most other customers a profile suggests as the same person.
MAX_LOOKALIKES = 5


@dataclass(frozen=True, slots=True)
class Lookalike:
    """Another customer of the brand known by one of this customer's handles (in any case)."""

    customer_id: int
    name: str
    channel: str  # where the other customer has the handle
    handle: str
    same_network: bool  # the same handle on the same network under another name ("twitter", "x")


def lookalikes(session: Session, customer: Customer, handles: Collection[tuple[str, str]]) -> list[Lookalike]:
    """Other customers of the brand who may be this person: known by one of this customer's
    ``handles`` ((channel, handle) pairs), in any case, on the same network first (the same handle
    imported as "twitter" and met again on "x" before both names were one; "Ann_Lee" and
    "ann_lee" on X), then on other networks."""
    if not handles:
        return []
    ours = {(channel_key(channel), handle.lower()) for channel, handle in handles}
    rows = session.execute(
        select(Identity.customer_id, Customer.display_name, Identity.channel, Identity.handle)
        .join(Customer, Customer.id == Identity.customer_id)
        .where(  # through ix_identity_brand_handle
            Identity.brand_id == customer.brand_id,
            handle_among(session.get_bind().dialect.name, {handle for _, handle in handles}),
            Identity.customer_id != customer.id,
        )
        .order_by(Identity.customer_id, Identity.id)
    )
    found: dict[int, Lookalike] = {}
    for customer_id, name, channel, handle in rows:
        same = (channel_key(channel), handle.lower()) in ours
        if customer_id not in found or (same and not found[customer_id].same_network):
            found[customer_id] = Lookalike(customer_id, name, channel, handle, same)
    ordered = sorted(found.values(), key=lambda other: (not other.same_network, other.customer_id))
    return ordered[:MAX_LOOKALIKES]


def get_customer(session: Session, customer_id: int, *, brand_ids: Collection[int]) -> Customer | None:
    """The customer, if it belongs to one of ``brand_ids``."""
    customer = session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.brand_id.in_(brand_ids))
    )
    if customer is not None:
        note_shown(session, [customer.brand_id])
    return customer


def merged_into(session: Session, customer_id: int, *, brand_ids: Collection[int]) -> int | None:
    """The customer a merged-away id now lives in (following later merges), if it was merged."""
    events = session.scalars(
        select(Event)
        .where(
            Event.brand_id.in_(brand_ids),
            Event.kind.in_((EventKind.CUSTOMER_MERGED, EventKind.CUSTOMER_UNMERGED)),
            Event.subject_type == "customer",
        )
        .order_by(Event.id.desc())
        .limit(10_000)
    )
    found: int | None = None
    undone: set[int] = set()
    wanted = customer_id
    for event in events:  # newest first: an unmerge cancels the merges before it
        payload = parse_payload(event.kind, event.data, where=f"event {event.id}")
        if isinstance(payload, CustomerUnmerged):
            undone.add(payload.merge_event_id)
        elif isinstance(payload, CustomerMerged) and payload.other_id == wanted and event.id not in undone:
            found = wanted = event.subject_id
            if session.get(Customer, wanted) is not None:
                return found
    return None if found is None or session.get(Customer, found) is None else found


def undoable_merges(session: Session, *, customer: Customer) -> list[Event]:
    """``customer.merged`` events of this customer not undone yet, newest first."""
    events = list(
        session.scalars(
            select(Event)
            .where(
                Event.brand_id == customer.brand_id,
                Event.subject_type == "customer",
                Event.subject_id == customer.id,
                Event.kind.in_((EventKind.CUSTOMER_MERGED, EventKind.CUSTOMER_UNMERGED)),
            )
            .order_by(Event.id.desc())
        )
    )
    undone = {
        p.merge_event_id
        for e in events
        if isinstance(p := parse_payload(e.kind, e.data, where=f"event {e.id}"), CustomerUnmerged)
    }
    return [e for e in events if e.kind == EventKind.CUSTOMER_MERGED and e.id not in undone]


def get_customer_profile(session: Session, customer: Customer) -> CustomerProfileRead:
    """Everything the customer page shows: identities, cases, messages in order, surveys, notes."""
    identities = list(
        session.scalars(
            select(Identity)
            .where(Identity.customer_id == customer.id)
            .order_by(Identity.followers.desc().nulls_last(), Identity.channel, Identity.handle)
        )
    )
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.customer_id == customer.id, Case.brand_id == customer.brand_id)
            .order_by(Case.opened_at.desc(), Case.id.desc())
        )
    )
    case_ids = [case.id for case in cases]
    # the customer's own messages, and the brand's replies in their cases
    mentions = list(
        session.scalars(
            select(Mention)
            .where(
                Mention.brand_id == customer.brand_id,
                (Mention.customer_id == customer.id) | Mention.case_id.in_(case_ids),
            )
            .order_by(Mention.created_at.desc(), Mention.id.desc())
            .limit(MAX_MENTIONS)
        )
    )
    surveys = list(
        session.scalars(
            select(Survey).where(Survey.case_id.in_(case_ids)).order_by(Survey.offered_at, Survey.id)
        )
    )
    notes = []
    for event in session.scalars(
        select(Event)
        .where(
            Event.subject_type == "case",
            Event.subject_id.in_(case_ids),
            Event.kind == EventKind.CASE_NOTE_ADDED,
        )
        .order_by(Event.occurred_at, Event.id)
    ):
        payload = parse_payload(event.kind, event.data, where=f"event {event.id}")
        if isinstance(payload, CaseNoteAdded):
            notes.append(
                CustomerNoteRead(case_id=event.subject_id, text=payload.text, occurred_at=event.occurred_at)
            )
    followers = [i.followers for i in identities if i.followers is not None]
    return CustomerProfileRead(
        id=customer.id,
        brand_id=customer.brand_id,
        name=customer.display_name,
        identities=[
            CustomerIdentityRead(channel=i.channel, handle=i.handle, followers=i.followers)
            for i in identities
        ],
        case_ids=case_ids,
        reach=max(followers) if followers else None,
        cases=[
            CustomerCaseRead(id=c.id, subject=c.subject, status=c.status, opened_at=c.opened_at)
            for c in cases
        ],
        mentions=[
            CustomerMentionRead(
                id=m.id,
                case_id=m.case_id,
                channel=m.channel,
                direction=m.direction.value,
                is_public=m.is_public,
                text=m.text,
                created_at=m.created_at,
            )
            for m in reversed(mentions)
        ],
        surveys=[
            CustomerSurveyRead(case_id=s.case_id, score=s.score, comment=s.comment, answered_at=s.answered_at)
            for s in surveys
        ],
        notes=notes,
        merges=[event.id for event in undoable_merges(session, customer=customer)],
    )


def undoable_case_merges(session: Session, *, case_ids: Collection[int]) -> list[tuple[int, int, int]]:
    """(event id, kept case, other case) of merges among these cases not undone yet, newest first."""
    events = list(
        session.scalars(
            select(Event)
            .where(
                Event.subject_type == "case",
                Event.subject_id.in_(list(case_ids)),
                Event.kind.in_((EventKind.CASE_MERGED, EventKind.CASE_UNMERGED)),
            )
            .order_by(Event.id.desc())
        )
    )
    parsed = [(e, parse_payload(e.kind, e.data, where=f"event {e.id}")) for e in events]
    undone = {p.merge_event_id for _, p in parsed if isinstance(p, CaseUnmerged)}
    return [
        (e.id, e.subject_id, p.other_id)
        for e, p in parsed
        if isinstance(p, CaseMerged) and e.id not in undone
    ]
