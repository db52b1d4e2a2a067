"""Reads: what customers write about (voice of the customer) and the cases that pay the debt down.

Read-only. Categories and sentiment are the enrichments analysis stored on each customer message;
the arithmetic is in ``metrics.definitions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from ombuds.cases.models import Case
from ombuds.clock import as_utc
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.metrics import definitions as d
from ombuds.metrics.queries import SENTIMENT, Scope, chunks, debt_at
from ombuds.shown_brands import note_shown

CATEGORY = "category"


@dataclass(frozen=True, slots=True)
class Example:
    case_id: int | None
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class CategoryRead:
    voice: d.CategoryVoice
    examples: list[Example]


def _said(session: Session, scope: Scope, *, start: datetime, end: datetime) -> list[d.Said]:
    category = aliased(Enrichment)
    sentiment = aliased(Enrichment)
    query = (
        select(Mention.id, Mention.case_id, Mention.created_at, category.label, sentiment.label)
        .join(category, and_(category.mention_id == Mention.id, category.analyzer == CATEGORY))
        .outerjoin(sentiment, and_(sentiment.mention_id == Mention.id, sentiment.analyzer == SENTIMENT))
        .where(
            Mention.brand_id == scope.brand_id,
            Mention.direction == Direction.INBOUND,
            Mention.created_at >= start,
            Mention.created_at < end,
            category.label.is_not(None),
        )
        .order_by(category.id, sentiment.id)
    )
    if scope.team_id is not None or scope.channel is not None:
        query = query.join(Case, Case.id == Mention.case_id).where(*scope.conditions())
    latest: dict[int, d.Said] = {}  # a correction, written later, wins
    for mention_id, case_id, at, label, mood in session.execute(query):
        if not label:
            continue
        latest[mention_id] = d.Said(
            mention_id=mention_id,
            case_id=case_id,
            at=as_utc(at),
            category=label,
            is_negative=mood == "negative",
        )
    return list(latest.values())


def voice_of_the_customer(session: Session, scope: Scope, *, limit: int = 10) -> list[CategoryRead]:
    """The period's top categories by customer messages, their negative share, their change against
    the period of the same length before, and a few messages (negative ones first)."""
    note_shown(session, [scope.brand_id])
    span = scope.end - scope.start
    now = _said(session, scope, start=scope.start, end=scope.end)
    before: dict[str, int] = {}
    for item in _said(session, scope, start=scope.start - span, end=scope.start):
        before[item.category] = before.get(item.category, 0) + 1
    found = d.voice(now, previous=before, limit=limit)
    wanted = {mention_id for item in found for mention_id in item.example_ids}
    texts: dict[int, Example] = {}
    for chunk in chunks(wanted):
        for mention_id, case_id, at, text in session.execute(
            select(Mention.id, Mention.case_id, Mention.created_at, Mention.text).where(Mention.id.in_(chunk))
        ):
            texts[mention_id] = Example(case_id=case_id, at=as_utc(at), text=text)
    return [CategoryRead(item, [texts[i] for i in item.example_ids if i in texts]) for item in found]


@dataclass(frozen=True, slots=True)
class DebtCaseRead:
    case_id: int
    subject: str
    status: str
    weight: float
    followers: int
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class DebtPoint:
    at: datetime
    unresolved_negative: float
    resolved_positive: int
    ratio: float | None


def pay_down(
    session: Session, scope: Scope, *, limit: int = 10, debt: list[d.DebtCase] | None = None
) -> list[DebtCaseRead]:
    """The open cases whose resolution would pay the experience debt down fastest: the heaviest
    (``debt``: the debt at the end of the period, when the caller read it already)."""
    note_shown(session, [scope.brand_id])
    heaviest = (debt if debt is not None else debt_at(session, scope, [scope.end])[scope.end])[:limit]
    if not heaviest:
        return []
    ids = [item.case_id for item in heaviest]
    cases = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(ids)))}
    reach = dict(
        session.execute(
            select(Mention.case_id, func.max(Mention.author_followers))
            .where(Mention.case_id.in_(ids), Mention.direction == Direction.INBOUND)
            .group_by(Mention.case_id)
        ).all()
    )
    return [
        DebtCaseRead(
            case_id=item.case_id,
            subject=cases[item.case_id].subject,
            status=cases[item.case_id].status.value,
            weight=round(item.weight, d.DURATION_DIGITS),
            followers=reach.get(item.case_id) or 0,
            opened_at=as_utc(cases[item.case_id].opened_at),
        )
        for item in heaviest
    ]
