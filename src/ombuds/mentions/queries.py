"""Reads about sources and mentions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ombuds.clock import as_utc
from ombuds.mentions.models import Mention, Source

_CHUNK = 500  # stays well under every database's limit on bound parameters


def get_source_by_name(session: Session, *, brand_id: int, name: str) -> Source | None:
    return session.scalar(select(Source).where(Source.brand_id == brand_id, Source.name == name))


def get_mention(session: Session, *, brand_id: int, mention_id: int) -> Mention | None:
    """The mention if it belongs to the brand; another brand's mention reads as missing."""
    return session.scalar(select(Mention).where(Mention.id == mention_id, Mention.brand_id == brand_id))


def get_mention_ids_by_external_id(
    session: Session, *, source_id: int, external_ids: Iterable[str]
) -> dict[str, int]:
    """The stored mentions of a source among ``external_ids``: external id -> mention id."""
    wanted = list(dict.fromkeys(external_ids))
    found: dict[str, int] = {}
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(Mention.external_id, Mention.id).where(Mention.source_id == source_id)
        if on_postgresql:
            # Join an unnested array rather than IN (...): once the driver prepares the query,
            # PostgreSQL's generic plan for IN compares every row with every id, while the join
            # looks each id up in the (source_id, external_id) index.
            ids = func.unnest(literal(chunk, ARRAY(String))).table_valued("external_id").render_derived()
            query = query.join_from(ids, Mention, Mention.external_id == ids.c.external_id)
        else:
            query = query.where(Mention.external_id.in_(chunk))
        for external_id, mention_id in session.execute(query):
            found[external_id] = mention_id
    return found


def recent_channels(session: Session, *, brand_id: int, recent: int = 1000) -> list[str]:
    """The channels the brand's latest messages came by, the busiest first."""
    latest = (
        select(Mention.channel).where(Mention.brand_id == brand_id).order_by(Mention.id.desc()).limit(recent)
    )
    return [channel for channel, _ in Counter(session.scalars(latest)).most_common()]


def usual_channel(session: Session, *, brand_id: int, recent: int = 1000) -> str | None:
    """The channel most of the brand's latest messages came by (None before the first)."""
    return next(iter(recent_channels(session, brand_id=brand_id, recent=recent)), None)


def count_mentions(session: Session, *, brand_id: int, source_id: int | None = None) -> int:
    query = select(func.count()).select_from(Mention).where(Mention.brand_id == brand_id)
    if source_id is not None:
        query = query.where(Mention.source_id == source_id)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class SourceHealth:
    """What is known today of how a source is doing: its cursor, and the mentions it brought."""

    source: Source
    mention_count: int
    last_received_at: datetime | None


def list_source_health(session: Session, *, brand_id: int) -> list[SourceHealth]:
    """The brand's sources by name, each with its mention count and latest arrival."""
    rows = session.execute(
        select(Source, func.count(Mention.id), func.max(Mention.received_at))
        .outerjoin(Mention, Mention.source_id == Source.id)
        .where(Source.brand_id == brand_id)
        .group_by(Source.id)
        .order_by(Source.name)
    )
    return [SourceHealth(source, count, as_utc(last) if last else None) for source, count, last in rows]
