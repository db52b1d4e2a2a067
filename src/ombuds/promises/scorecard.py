"""The scorecard: every promise with its alignment, trend, volume, themes, examples and the cases behind it.

A read: queries plus the pure scoring; nothing is written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.promises.matching import Stance
from ombuds.promises.models import Promise
from ombuds.promises.queries import MatchedExperience, list_experiences, list_promises
from ombuds.promises.scoring import (
    Alignment,
    ChangeAlert,
    Experience,
    WindowScore,
    alignment,
    change_alerts,
    windows,
)

TREND_DAYS = 28
TREND_WIDTH = timedelta(days=7)
#: A promise heard of for less than this is trended per day, so a young campaign shows a shape.
DAILY_TREND_UNDER = timedelta(days=14)


def trend_span(experiences: Sequence[Experience], now: datetime) -> tuple[datetime, timedelta]:
    """Where the trend starts and how wide its windows are: four weeks, or days for a young promise."""
    if experiences:
        first = min(e.occurred_at for e in experiences)
        if now - first < DAILY_TREND_UNDER:
            day = timedelta(days=1)
            return now - day * math.ceil((now - first) / day), day
    return now - timedelta(days=TREND_DAYS), TREND_WIDTH


@dataclass(frozen=True)
class CaseLink:
    case_id: int
    subject: str
    team: str | None
    status: str


@dataclass(frozen=True)
class PromiseCard:
    promise: Promise
    overall: Alignment
    trend: list[WindowScore]
    alerts: list[ChangeAlert]
    volume: int
    contradicting: int
    confirming: int
    themes: list[tuple[str, int]]
    contradicting_examples: list[MatchedExperience] = field(default_factory=list)
    confirming_examples: list[MatchedExperience] = field(default_factory=list)
    cases: list[CaseLink] = field(default_factory=list)


def experience_of(found: MatchedExperience) -> Experience:
    data = found.match.data or {}
    return Experience(
        occurred_at=found.match.occurred_at,
        stance=found.match.stance,
        reach=float(data.get("reach") or 0.0),
        echo_group=data.get("echo_group"),
    )


def _themes(session: Session, mention_ids: list[int]) -> list[tuple[str, int]]:
    """The categories the analysis engine gave the contradicting mentions, most common first
    (ties by name: the scorecard must not reshuffle from one load to the next)."""
    if not mention_ids:
        return []
    count = func.count()
    rows = session.execute(
        select(Enrichment.label, count)
        .where(
            Enrichment.mention_id.in_(mention_ids),
            Enrichment.analyzer == "category",
            Enrichment.label.is_not(None),
            Enrichment.label != "",
        )
        .group_by(Enrichment.label)
        .order_by(count.desc(), Enrichment.label)
        .limit(3)
    )
    return [(str(label), int(found)) for label, found in rows]


def _cases(session: Session, found: list[MatchedExperience]) -> list[CaseLink]:
    teams = {team.id: team.name for team in session.scalars(select(Team))}
    links: dict[int, CaseLink] = {}
    for item in found:
        case = item.case
        if case is not None and case.id not in links:
            links[case.id] = CaseLink(
                case.id, case.subject, teams.get(case.team_id) if case.team_id else None, case.status.value
            )
    return list(links.values())


def promise_card(
    session: Session,
    promise: Promise,
    *,
    now: datetime | None = None,
    examples: int = 3,
    case_limit: int = 50,
) -> PromiseCard:
    now = now or utcnow()
    found = list_experiences(session, promise.brand_id, promise_ids=[promise.id])
    scored = [experience_of(item) for item in found]
    contradicting = [item for item in found if item.match.stance is Stance.CONTRADICTS]
    confirming = [item for item in found if item.match.stance is Stance.CONFIRMS]
    trend_start, width = trend_span(scored, now)
    return PromiseCard(
        promise=promise,
        overall=alignment(scored),
        trend=windows(scored, start=trend_start, end=now, width=width),
        alerts=change_alerts(
            scored, promise_text=promise.text, now=now, campaign_starts_at=promise.starts_at
        ),
        volume=len(found),
        contradicting=len(contradicting),
        confirming=len(confirming),
        themes=_themes(session, [item.mention.id for item in contradicting[:500]]),
        contradicting_examples=sorted(contradicting, key=lambda item: -item.match.score)[:examples],
        confirming_examples=sorted(confirming, key=lambda item: -item.match.score)[:examples],
        cases=_cases(session, contradicting)[:case_limit],
    )


def scorecard(session: Session, brand_id: int, *, now: datetime | None = None) -> list[PromiseCard]:
    """One card per promise of the brand, weakest alignment first (unscored last)."""
    cards = [promise_card(session, promise, now=now) for promise in list_promises(session, brand_id)]
    return sorted(cards, key=lambda card: (card.overall.score is None, card.overall.score or 0.0))
