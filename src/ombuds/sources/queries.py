"""Reads about sources' polling: which are due, their health, their dead letters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ombuds.mentions.models import Mention, Source
from ombuds.sources.models import DeadLetter, SourceState


@dataclass(frozen=True)
class SourceHealth:
    """How a source is doing: its state (None before its first poll) and what a person reads from it."""

    source: Source
    state: SourceState | None
    open_dead_letters: int

    def lag(self, now: datetime) -> timedelta | None:
        """How far behind the channel the newest mention it brought is."""
        newest = self.state.newest_created_at if self.state is not None else None
        return now - newest if newest is not None else None


def list_polled_sources(
    session: Session, *, kinds: Iterable[str], source_id: int | None = None
) -> list[Source]:
    """Sources of the polled kinds that are not paused, oldest first (or just ``source_id``)."""
    query = select(Source).where(Source.kind.in_(list(kinds)), Source.paused_at.is_(None)).order_by(Source.id)
    if source_id is not None:
        query = query.where(Source.id == source_id)
    return list(session.scalars(query))


def list_due_source_ids(session: Session, *, kinds: Iterable[str], now: datetime) -> list[int]:
    """Running sources of the polled kinds whose next poll is due (or that were never polled)."""
    query = (
        select(Source.id)
        .outerjoin(SourceState, SourceState.source_id == Source.id)
        .where(
            Source.kind.in_(list(kinds)),
            Source.paused_at.is_(None),
            or_(SourceState.next_poll_at.is_(None), SourceState.next_poll_at <= now),
        )
        .order_by(Source.id)
    )
    return list(session.scalars(query))


def known_external_ids_in_brand(
    session: Session, *, brand_id: int, kind: str, external_ids: Iterable[str]
) -> set[str]:
    """Which of ``external_ids`` a source of this kind in the brand already brought."""
    wanted = list(dict.fromkeys(external_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            session.scalars(
                select(Mention.external_id)
                .join(Source, Source.id == Mention.source_id)
                .where(
                    Mention.brand_id == brand_id,
                    Mention.external_id.in_(wanted[start : start + 500]),
                    Source.kind == kind,
                )
            )
        )
    return found


def brand_mention_id(session: Session, *, brand_id: int, kind: str, external_id: str) -> int | None:
    """The mention a source of this kind in the brand already brought with this id, if any."""
    return session.scalar(
        select(Mention.id)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.brand_id == brand_id, Mention.external_id == external_id, Source.kind == kind)
        .order_by(Mention.id)
        .limit(1)
    )


def list_health(session: Session, *, brand_id: int | None = None) -> list[SourceHealth]:
    """Every source (of a brand, or all) by name with its state and count of open dead letters."""
    query = select(Source, SourceState).outerjoin(SourceState, SourceState.source_id == Source.id)
    if brand_id is not None:
        query = query.where(Source.brand_id == brand_id)
    rows = list(session.execute(query.order_by(Source.brand_id, Source.name)))
    open_counts: dict[int, int] = {}
    letters = select(DeadLetter.source_id).where(DeadLetter.resolved_at.is_(None))
    if brand_id is not None:
        letters = letters.where(DeadLetter.brand_id == brand_id)
    for source_id in session.scalars(letters):
        open_counts[source_id] = open_counts.get(source_id, 0) + 1
    return [SourceHealth(source, state, open_counts.get(source.id, 0)) for source, state in rows]


def list_dead_letters(session: Session, *, brand_id: int, limit: int = 50) -> list[DeadLetter]:
    """The brand's dead letters, open ones first, newest first."""
    return list(
        session.scalars(
            select(DeadLetter)
            .where(DeadLetter.brand_id == brand_id)
            .order_by(DeadLetter.resolved_at.is_not(None), DeadLetter.id.desc())
            .limit(limit)
        )
    )
