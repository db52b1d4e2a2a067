"""Customers who wrote back after their case was resolved: the demo's reopens and handoffs.

Each write-back is an ordinary inbound message threaded by the pipeline: it reopens the case it
follows (the brand's reopen window), and one that is about money is routed on to Refunds & Billing,
a handoff. Without these the dashboard's reopen rate and handoffs per case read 0 %.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Team
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus
from ombuds.db import transaction
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle

#: What customers write back, in turn: not fixed after all, or fixed but charged for it (billing).
WRITE_BACKS = (
    ("@LarkspurAir it's happened again, the same problem as before. It wasn't fixed.", False),
    (
        "@LarkspurAir sorted the flight, thanks, but now I've been charged twice for the change fee. Refund please",
        True,
    ),
    ("@LarkspurAir sorry, still not working on my side. Can someone look again?", False),
    ("@LarkspurAir the rebooking went through but you billed me a fee you said you'd waive", True),
)
#: The customer wrote back this long after the resolution, well within the reopen window.
AFTER = timedelta(hours=3)
#: Only cases resolved this recently: the reopen window (7 days) must not have passed.
RESOLVED_WITHIN = timedelta(days=6)


@dataclass
class WriteBacksSummary:
    reopened: list[int] = field(default_factory=list)
    handed_off: list[int] = field(default_factory=list)


def _candidates(session: Session, *, brand_id: int, now: datetime, skip: Collection[int]) -> list[Case]:
    """Recently resolved cases, oldest first, of customers with no open case (so the message reopens)."""
    billing = session.scalars(
        select(Team.id).where(Team.brand_id == brand_id, Team.slug == "billing")
    ).first()
    busy = set(
        session.scalars(
            select(Case.customer_id).where(Case.brand_id == brand_id, Case.status.in_(OPEN_STATUSES))
        )
    )
    query = (
        select(Case)
        .where(
            Case.brand_id == brand_id,
            Case.status == CaseStatus.RESOLVED,
            Case.resolved_at >= now - RESOLVED_WITHIN,
            Case.resolved_at <= now - AFTER,
            Case.team_id != billing,
        )
        .order_by(Case.resolved_at, Case.id)
    )
    chosen: list[Case] = []
    for case in session.scalars(query):
        if case.id in skip or case.customer_id in busy:
            continue
        busy.add(case.customer_id)
        chosen.append(case)
    return chosen


def _write_back(session: Session, *, case: Case, text: str) -> IncomingMention:
    first = session.scalars(
        select(Mention)
        .where(Mention.case_id == case.id, Mention.direction == Direction.INBOUND)
        .order_by(Mention.created_at, Mention.id)
        .limit(1)
    ).one()
    assert case.resolved_at is not None  # _candidates selects resolved cases only
    created = MentionCreate(
        external_id=f"demo-write-back-{case.id}",
        author_handle=first.author_handle,
        author_name=first.author_name,
        text=text,
        created_at=case.resolved_at + AFTER,
        channel=first.channel,
        followers=first.author_followers or 0,
        is_public=first.is_public,
        direction="inbound",
    )
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def seed_write_backs(
    factory: sessionmaker[Session],
    *,
    brand_id: int,
    now: datetime,
    skip: Collection[int],
    batch_size: int,
) -> WriteBacksSummary:
    """A few customers write back after their case was resolved; the pipeline reopens and re-routes."""
    summary = WriteBacksSummary()
    with transaction(factory) as session:
        cases = _candidates(session, brand_id=brand_id, now=now, skip=skip)[: len(WRITE_BACKS)]
        messages = []
        for case, (text, about_money) in zip(cases, WRITE_BACKS, strict=False):
            messages.append(_write_back(session, case=case, text=text))
            summary.reopened.append(case.id)
            if about_money:
                summary.handed_off.append(case.id)
        source = get_or_create_source(
            session, brand_id=brand_id, kind="demo", name="Larkspur social and inbox"
        )
        ingest_mentions(session, source=source, mentions=messages)
    run_until_idle(factory, batch_size=batch_size)
    return summary
