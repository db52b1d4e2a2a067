"""Reads of the privacy package: report counts that survive purges, one customer's export, erasure records."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import LargeBinary, func, or_, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.models import Case, Customer, Identity
from ombuds.enrichment.models import Enrichment
from ombuds.errors import InvalidInput, NotFound
from ombuds.events import Event
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.privacy.models import DailyRollup, ErasureRecord, RetentionPolicy
from ombuds.privacy.retention import (
    CaseFact,
    MentionFact,
    RollupKey,
    Tally,
    merge_tallies,
    tally_cases,
    tally_mentions,
)
from ombuds.responses.models import Reply
from ombuds.surveys.models import Survey


def label_of(analyzer: str) -> object:
    """The mention's label from one analyzer (a correlated scalar subquery)."""
    return (
        select(func.max(Enrichment.label))
        .where(Enrichment.mention_id == Mention.id, Enrichment.analyzer == analyzer)
        .scalar_subquery()
    )


def customer_mention_ids(session: Session, customer: Customer) -> list[int]:
    """Every message of the customer: theirs by customer or handle, and every message on their cases."""
    handles = select(Identity.channel, Identity.handle).where(Identity.customer_id == customer.id)
    pairs = [(channel, handle) for channel, handle in session.execute(handles)]
    by_handle = [
        (Mention.channel == channel) & (Mention.author_handle == handle) for channel, handle in pairs
    ]
    case_ids = select(Case.id).where(Case.customer_id == customer.id)
    return list(
        session.scalars(
            select(Mention.id).where(
                Mention.brand_id == customer.brand_id,
                or_(Mention.customer_id == customer.id, Mention.case_id.in_(case_ids), *by_handle),
            )
        )
    )


def get_retention(session: Session, brand_id: int) -> int | None:
    policy = session.get(RetentionPolicy, brand_id)
    return policy.months if policy is not None else None


def daily_metrics(session: Session, brand_id: int) -> dict[RollupKey, Tally]:
    """Per day (UTC): messages by channel, category and sentiment; cases by channel and priority.

    What the live tables hold plus what purges rolled up, so a purge changes none of these numbers.
    """
    mentions = session.execute(
        select(Mention.created_at, Mention.channel, label_of("category"), label_of("sentiment")).where(  # type: ignore[call-overload]
            Mention.brand_id == brand_id, Mention.direction == Direction.INBOUND
        )
    )
    cases = session.execute(
        select(Case.opened_at, Case.channel, Case.priority, Case.resolved_at, Case.first_responded_at).where(
            Case.brand_id == brand_id
        )
    )
    rolled: dict[RollupKey, Tally] = {
        RollupKey(r.day, r.channel, r.category, r.sentiment, r.priority): Tally(
            r.mentions, r.cases_opened, r.cases_resolved, r.first_responses, r.first_response_seconds
        )
        for r in session.scalars(select(DailyRollup).where(DailyRollup.brand_id == brand_id))
    }
    return merge_tallies(
        tally_mentions(MentionFact(*row) for row in mentions),
        tally_cases(CaseFact(*row) for row in cases),
        rolled,
    )


def get_customer_or_raise(session: Session, customer_id: int, *, brand_ids: Collection[int]) -> Customer:
    customer = session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.brand_id.in_(brand_ids))
    )
    if customer is None:
        raise NotFound(f"there is no customer {customer_id} (erased already, or not of a brand you may see)")
    return customer


def find_customer_by_handle(session: Session, *, brand_id: int, channel: str, handle: str) -> Customer:
    customer = session.scalar(
        select(Customer)
        .join(Identity, Identity.customer_id == Customer.id)
        .where(Identity.brand_id == brand_id, Identity.channel == channel, Identity.handle == handle)
    )
    if customer is None:
        raise NotFound(f"no customer with the {channel} handle {handle!r} in this brand")
    return customer


def find_customer(
    session: Session, *, brand_id: int, customer_id: int | None, handle: str | None
) -> Customer:
    """The brand's customer named by id or by ``CHANNEL:HANDLE`` (exactly one of the two)."""
    if (customer_id is None) == (handle is None):
        raise InvalidInput("name the customer by --customer ID or by --handle CHANNEL:HANDLE (one of them)")
    if customer_id is not None:
        return get_customer_or_raise(session, customer_id, brand_ids=[brand_id])
    assert handle is not None
    channel, sep, name = handle.partition(":")
    if not sep or not channel or not name:
        raise InvalidInput(f"--handle {handle!r}: write CHANNEL:HANDLE, e.g. twitter:mara_lind")
    return find_customer_by_handle(session, brand_id=brand_id, channel=channel, handle=name)


def list_retentions(session: Session, *, slug: str | None = None) -> list[tuple[RetentionPolicy, str]]:
    """Brands with a retention (and their slugs), or only the named one."""
    statement = (
        select(RetentionPolicy, Brand.slug)
        .join(Brand, Brand.id == RetentionPolicy.brand_id)
        .where(RetentionPolicy.months.is_not(None))
        .order_by(Brand.slug)
    )
    if slug is not None:
        statement = statement.where(Brand.slug == slug)
    return [(policy, brand_slug) for policy, brand_slug in session.execute(statement)]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(row: Any) -> dict[str, Any]:
    """Every column of a row as JSON values (raw payload bytes are left out; ``text`` holds the words)."""
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if not isinstance(column.type, LargeBinary)
    }


def export_customer(session: Session, customer: Customer) -> dict[str, Any]:
    """Everything stored about one customer, as JSON-ready data."""
    mention_ids = customer_mention_ids(session, customer)
    case_ids = list(session.scalars(select(Case.id).where(Case.customer_id == customer.id)))

    def rows(statement: Any) -> list[dict[str, Any]]:
        return [_row(row) for row in session.scalars(statement)]

    return {
        "customer": _row(customer),
        "identities": rows(select(Identity).where(Identity.customer_id == customer.id).order_by(Identity.id)),
        "cases": rows(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)),
        "mentions": rows(select(Mention).where(Mention.id.in_(mention_ids)).order_by(Mention.id)),
        "replies": rows(select(Reply).where(Reply.case_id.in_(case_ids)).order_by(Reply.id)),
        "surveys": rows(select(Survey).where(Survey.case_id.in_(case_ids)).order_by(Survey.id)),
        "events": rows(
            select(Event)
            .where(
                or_(
                    (Event.subject_type == "case") & Event.subject_id.in_(case_ids),
                    (Event.subject_type == "mention") & Event.subject_id.in_(mention_ids),
                    (Event.subject_type == "customer") & (Event.subject_id == customer.id),
                )
            )
            .order_by(Event.id)
        ),
    }


def list_erasures(session: Session, brand_ids: Collection[int]) -> list[ErasureRecord]:
    return list(
        session.scalars(
            select(ErasureRecord)
            .where(ErasureRecord.brand_id.in_(brand_ids))
            .order_by(ErasureRecord.id.desc())
        )
    )
