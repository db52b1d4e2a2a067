"""Reads: what customers write about (voice of the customer) and the cases that pay the debt down.

Read-only. Categories and sentiment are the enrichments analysis stored on each customer message;
the arithmetic is in ``metrics.definitions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import as_utc
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.metrics import definitions as d
from ombuds.metrics.daily_reads import dimension
from ombuds.metrics.outcome_days import DAY, DIMENSIONS, day_of
from ombuds.metrics.outcome_models import CaseOutcome, MentionVoice, MentionVoiceDay
from ombuds.metrics.outcome_reads import in_scope, outcome_conditions
from ombuds.metrics.queries import Scope, chunks, debt_at
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


def _messages(
    scope: Scope, *, start: datetime, end: datetime, columns: Sequence[Any], few: bool = False
) -> Any:
    """The customer's own messages of [start, end) with a category (``mention_voice``), in scope:
    with a team, channel, agent or category, those of the cases it holds, looked up in a list of
    them, or case by case for a read of ``few`` rows (one that stops after a few, or covers less than
    a day: the list is made per read, and holds all the cases of a team)."""
    query = select(*columns).where(
        MentionVoice.brand_id == scope.brand_id,
        MentionVoice.created_at >= start,
        MentionVoice.created_at < end,
    )
    narrower = outcome_conditions(scope)[1:]
    if few and narrower:
        return query.join(CaseOutcome, CaseOutcome.case_id == MentionVoice.case_id).where(*narrower)
    return query.where(*in_scope(scope, MentionVoice.case_id))


def _counts(session: Session, scope: Scope, *, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """Each category's messages and negative ones in [start, end), counted by the database: for
    the whole brand or one team, agent, channel or category, its whole days from the day counts
    (``mention_voice_day``) and the partial days at either end from the messages; for a narrower
    scope, from the messages."""
    first, last = day_of(start), day_of(end)
    if first < start:
        first += DAY
    held = dimension(scope, None)
    if held is None or first >= last:
        return _counted(session, scope, start=start, end=end)
    name, value = held
    found: dict[str, tuple[int, int]] = {}
    query = (
        select(
            MentionVoiceDay.category_said,
            func.sum(MentionVoiceDay.messages),
            func.sum(MentionVoiceDay.negative),
        )
        .where(
            MentionVoiceDay.brand_id == scope.brand_id,
            MentionVoiceDay.dimension == name,
            MentionVoiceDay.day >= first,
            MentionVoiceDay.day < last,
        )
        .group_by(MentionVoiceDay.category_said)
    )
    column = DIMENSIONS[name]
    if column is not None:
        query = query.where(MentionVoiceDay.__table__.c[column] == value)
    counted = [{row[0]: (int(row[1]), int(row[2])) for row in session.execute(query)}]
    counted += [
        _counted(session, scope, start=begins, end=ends, few=True)
        for begins, ends in ((start, first), (last, end))
        if begins < ends
    ]
    for part in counted:
        for category, (messages, negative) in part.items():
            had = found.get(category, (0, 0))
            found[category] = (had[0] + messages, had[1] + negative)
    return found


def _counted(
    session: Session, scope: Scope, *, start: datetime, end: datetime, few: bool = False
) -> dict[str, tuple[int, int]]:
    """Each category's messages and negative ones in [start, end), counted from the messages."""
    negative = func.sum(case((MentionVoice.is_negative.is_(True), 1), else_=0))
    query = _messages(
        scope, start=start, end=end, columns=(MentionVoice.category, func.count(), negative), few=few
    ).group_by(MentionVoice.category)
    return {row[0]: (row[1], row[2] or 0) for row in session.execute(query)}


def _example_ids(session: Session, scope: Scope, categories: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Each category's examples in the period, in ``definitions.example_order`` (negative ones
    first, newest first): per category the newest negative messages, then the newest others if
    too few, each read walking the (brand, written) index back from the period's end and
    stopping at the few it needs (ranking all the period's messages would sort them all)."""
    found: dict[str, tuple[int, ...]] = {}
    for category in categories:
        picked: list[int] = []
        for is_negative in (True, False):
            if len(picked) == d.EXAMPLES:
                break
            query = (
                _messages(
                    scope, start=scope.start, end=scope.end, columns=(MentionVoice.mention_id,), few=True
                )
                .where(MentionVoice.category == category, MentionVoice.is_negative.is_(is_negative))
                .order_by(MentionVoice.created_at.desc(), MentionVoice.mention_id.desc())
                .limit(d.EXAMPLES - len(picked))
            )
            picked += session.scalars(query)
        found[category] = tuple(picked)
    return found


def voice_of_the_customer(session: Session, scope: Scope, *, limit: int = 10) -> list[CategoryRead]:
    """The period's top categories by customer messages, their negative share, their change against
    the period of the same length before, and a few messages (negative ones first)."""
    note_shown(session, [scope.brand_id])
    span = scope.end - scope.start
    now = _counts(session, scope, start=scope.start, end=scope.end)
    before = {
        category: messages
        for category, (messages, _) in _counts(
            session, scope, start=scope.start - span, end=scope.start
        ).items()
    }
    top = d.top_categories(now, previous=before, limit=limit)
    examples = _example_ids(session, scope, [item.category for item in top])
    found = [replace(item, example_ids=examples[item.category]) for item in top]
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
