"""The only writers of sources and mentions. Callers own the transaction.

``ingest_mentions`` is the single door every mention comes through (importer, API,
connectors), so idempotency on (source, external id) lives in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Insert,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.types import TypeEngine

from ombuds.clock import utcnow
from ombuds.errors import Conflict
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.mentions.queries import get_mention_ids_by_external_id, get_source_by_name
from ombuds.mentions.schemas import IncomingMention, IngestResult

_NATURAL_KEY = ["source_id", "external_id"]
_MENTION: Table = Mention.__table__  # type: ignore[assignment]
_SOURCE: Table = Source.__table__  # type: ignore[assignment]


def _insert_ignoring_conflicts(session: Session, table: Table, index_elements: list[str]) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    raise NotImplementedError(f"ingest supports SQLite and PostgreSQL, not {dialect}")


def get_or_create_source(
    session: Session, *, brand_id: int, kind: str, name: str, config: Mapping[str, Any] | None = None
) -> Source:
    """The brand's source called ``name``, created on first use (safe when two callers race)."""
    found = get_source_by_name(session, brand_id=brand_id, name=name)
    if found is None:
        statement = _insert_ignoring_conflicts(session, _SOURCE, ["brand_id", "name"]).values(
            brand_id=brand_id, kind=kind, name=name, config=dict(config or {}), created_at=utcnow()
        )
        created = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        found = get_source_by_name(session, brand_id=brand_id, name=name)
        assert found is not None  # inserted now or by the racing caller
        if created:
            record_event(
                session,
                brand_id=brand_id,
                kind="source.created",
                subject_type="source",
                subject_id=found.id,
                data={"kind": kind, "name": name},
            )
    if found.kind != kind:
        raise Conflict(f"source {name!r} is a {found.kind!r} source, not {kind!r}")
    return found


def ingest_mentions(
    session: Session,
    *,
    source: Source,
    mentions: Sequence[IncomingMention],
    received_at: datetime | None = None,
) -> IngestResult:
    """Store the mentions the source has not stored yet; they enter the pipeline at INGESTED.

    A mention whose external id the source already has, or that repeats an earlier one in
    ``mentions``, is a duplicate and changes nothing. Existing ids are looked up first and the
    insert skips conflicts, so concurrent ingests of the same mentions store each once.
    """
    if not mentions:
        return IngestResult(imported=0, duplicates=0, ids=[])
    received_at = received_at or utcnow()
    external_ids = [incoming.mention.external_id for incoming in mentions]
    known = get_mention_ids_by_external_id(session, source_id=source.id, external_ids=external_ids)
    firsts: dict[str, IncomingMention] = {}
    for incoming in mentions:
        if incoming.mention.external_id not in known:
            firsts.setdefault(incoming.mention.external_id, incoming)
    inserted: dict[str, int] = {}
    if firsts:
        rows = [_row(source, incoming, received_at) for incoming in firsts.values()]
        inserted = _insert_new(session, rows)
        raced = [external_id for external_id in firsts if external_id not in inserted]
        if raced:  # another writer stored these between our read and our insert
            known.update(get_mention_ids_by_external_id(session, source_id=source.id, external_ids=raced))
    ids = [inserted.get(external_id) or known[external_id] for external_id in external_ids]
    result = IngestResult(imported=len(inserted), duplicates=len(mentions) - len(inserted), ids=ids)
    if inserted:
        record_event(
            session,
            brand_id=source.brand_id,
            kind="mentions.ingested",
            subject_type="source",
            subject_id=source.id,
            data={
                "imported": result.imported,
                "duplicates": result.duplicates,
                "first_mention_id": min(inserted.values()),
                "last_mention_id": max(inserted.values()),
            },
            occurred_at=received_at,
        )
    return result


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the rows whose (source, external id) is free; external id -> id of those inserted."""
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(_postgresql_unnest_insert(rows))
    else:
        statement = _insert_ignoring_conflicts(session, _MENTION, _NATURAL_KEY).returning(
            _MENTION.c.id, _MENTION.c.external_id
        )
        found = session.execute(statement, rows)
    return {str(row[1]): int(row[0]) for row in found}


# Per-row columns and the plain types their values travel in as PostgreSQL arrays.
_ARRAY_TYPES: dict[str, TypeEngine[Any]] = {
    "external_id": String(),
    "channel": String(),
    "direction": String(),
    "is_public": Boolean(),
    "author_handle": String(),
    "author_name": String(),
    "author_followers": Integer(),
    "author_bio": Text(),
    "text": Text(),
    "url": String(),
    "in_reply_to": String(),
    "metrics": Text(),
    "created_at": DateTime(timezone=True),
    "raw": LargeBinary(),
    "raw_format": String(),
    "stage": String(),
}


def _postgresql_unnest_insert(rows: list[dict[str, Any]]) -> ReturningInsert[int, str]:
    """One INSERT ... SELECT FROM unnest(arrays): a few parameters instead of thousands.

    A multi-row VALUES statement needs ~20 parameters per row, which the driver parses
    row by row; one array per column keeps the statement small whatever the batch size.
    """
    first = rows[0]
    names = list(_ARRAY_TYPES)
    arrays = [literal([_plain(name, row[name]) for row in rows], ARRAY(_ARRAY_TYPES[name])) for name in names]
    given = func.unnest(*arrays).table_valued(*names).render_derived(name="given")
    values = [cast(given.c[name], JSON) if name == "metrics" else given.c[name] for name in names]
    chosen = select(
        literal(first["brand_id"], Integer()),
        literal(first["source_id"], Integer()),
        literal(first["received_at"], DateTime(timezone=True)),
        *values,
    )
    return (
        postgresql.insert(_MENTION)
        .from_select(["brand_id", "source_id", "received_at", *names], chosen)
        .on_conflict_do_nothing(index_elements=_NATURAL_KEY)
        .returning(_MENTION.c.id, _MENTION.c.external_id)
    )


def _plain(name: str, value: Any) -> Any:
    if name == "metrics":
        return json.dumps(value)
    if isinstance(value, Direction | Stage):
        return value.value
    return value


def _row(source: Source, incoming: IncomingMention, received_at: datetime) -> dict[str, Any]:
    mention = incoming.mention
    return {
        "brand_id": source.brand_id,
        "source_id": source.id,
        "external_id": mention.external_id,
        "channel": mention.channel,
        "direction": Direction(mention.direction),
        "is_public": mention.is_public,
        "author_handle": mention.author_handle,
        "author_name": mention.author_name,
        "author_followers": mention.followers,
        "author_bio": mention.author_bio,
        "text": mention.text,
        "url": mention.url,
        "in_reply_to": mention.in_reply_to,
        "metrics": dict(mention.metrics),
        "created_at": mention.created_at,
        "received_at": received_at,
        "raw": incoming.raw,
        "raw_format": incoming.raw_format,
        "stage": Stage.INGESTED,
        "customer_id": None,
        "case_id": None,
    }


def set_source_paused(
    session: Session, *, source: Source, paused: bool, at: datetime, actor_id: int | None = None
) -> bool:
    """Pause fetching from a source, or resume it; False when it already was so."""
    if (source.paused_at is not None) == paused:
        return False
    source.paused_at = at if paused else None
    record_event(
        session,
        brand_id=source.brand_id,
        kind=EventKind.SOURCE_PAUSED if paused else EventKind.SOURCE_RESUMED,
        subject_type="source",
        subject_id=source.id,
        actor_id=actor_id,
        data={"name": source.name},
    )
    return True


def set_source_cursor(session: Session, *, source: Source, cursor: str | None) -> None:
    """Where the source resumes; stored in the transaction that stores what was fetched before it."""
    source.cursor = cursor
