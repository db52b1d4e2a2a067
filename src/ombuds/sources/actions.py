"""The only writers of source state, dead letters and webhook deliveries. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ombuds.connectors.base import ConnectorKind
from ombuds.connectors.registry import dedupes_across_sources, get_kind, validate_config
from ombuds.connectors.secrets import seal_config
from ombuds.errors import Conflict, InvalidInput
from ombuds.event_payloads import EventKind
from ombuds.events import record_event
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Source
from ombuds.mentions.queries import get_source_by_name
from ombuds.mentions.schemas import IncomingMention, IngestResult
from ombuds.sources.models import DEFAULT_EVERY_SECONDS, DeadLetter, SourceState, WebhookDelivery
from ombuds.sources.queries import brand_mention_id
from ombuds.sources.records import Unusable, first_error, mention_from_fields

HOUR = timedelta(hours=1)


def get_or_create_state(session: Session, *, source_id: int) -> SourceState:
    state = session.get(SourceState, source_id)
    if state is None:
        state = SourceState(source_id=source_id, every_seconds=DEFAULT_EVERY_SECONDS, consecutive_failures=0)
        session.add(state)
        session.flush()
    return state


def set_poll_interval(session: Session, *, source_id: int, every_seconds: int) -> SourceState:
    """Poll the source every ``every_seconds``; the first poll is due at once."""
    if not 10 <= every_seconds <= 7 * 24 * 3600:
        raise InvalidInput("every: from 10 seconds to a week (604800)")
    state = get_or_create_state(session, source_id=source_id)
    state.every_seconds = every_seconds
    return state


def record_poll_success(
    session: Session,
    *,
    source_id: int,
    imported: int,
    newest_created_at: datetime | None,
    now: datetime,
    again_at: datetime | None = None,
) -> SourceState:
    """A poll worked: failures reset, the next poll is due after the interval (or at ``again_at``)."""
    state = get_or_create_state(session, source_id=source_id)
    state.last_success_at = now
    state.consecutive_failures = 0
    state.next_poll_at = again_at or now + timedelta(seconds=state.every_seconds)
    if newest_created_at is not None and (
        state.newest_created_at is None or newest_created_at > state.newest_created_at
    ):
        state.newest_created_at = newest_created_at
    if state.window_started_at is None:
        state.window_started_at, state.window_items = now, imported
    elif now - state.window_started_at >= HOUR:
        hours = (now - state.window_started_at) / HOUR
        state.items_per_hour = round(state.window_items / hours, 1)
        state.window_started_at, state.window_items = now, imported
    else:
        state.window_items += imported
    return state


def record_push(
    session: Session, *, source_id: int, imported: int, newest_created_at: datetime | None, now: datetime
) -> SourceState:
    """A push (a webhook) was stored: the same health as a poll's success, with no next poll."""
    state = record_poll_success(
        session, source_id=source_id, imported=imported, newest_created_at=newest_created_at, now=now
    )
    state.next_poll_at = None
    return state


def record_poll_failure(
    session: Session, *, source_id: int, error: str, now: datetime, retry_at: datetime
) -> SourceState:
    """A poll failed: the error is kept (never a secret: connectors' errors carry none)."""
    state = get_or_create_state(session, source_id=source_id)
    state.last_error = error[:2000]
    state.last_error_at = now
    state.consecutive_failures += 1
    state.next_poll_at = retry_at
    return state


def add_dead_letters(session: Session, *, source: Source, unusable: Sequence[Unusable], now: datetime) -> int:
    """Keep each record that could not be used; one already kept (a refetch) is not added twice."""
    if not unusable:
        return 0
    rows = [
        {
            "brand_id": source.brand_id,
            "source_id": source.id,
            "position": item.record.position,
            "raw": item.record.raw,
            "raw_format": item.record.raw_format[:32],
            "fields": item.plain_fields(),
            "error": item.error[:2000],
            "field": item.field[:100] if item.field else None,
            "digest": item.digest,
            "created_at": now,
        }
        for item in unusable
    ]
    table = DeadLetter.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["source_id", "digest"])  # type: ignore[arg-type]
    session.execute(statement, rows)
    return len(rows)


def retry_dead_letter(
    session: Session,
    *,
    letter: DeadLetter,
    actor_id: int | None,
    now: datetime,
    fields: Mapping[str, Any] | None = None,
) -> IngestResult:
    """Map the record again (with ``fields`` where a person fixed them) and ingest it into its source."""
    if letter.resolved_at is not None:
        raise Conflict(f"dead letter {letter.id} was {letter.resolution} already")
    values = dict(fields) if fields is not None else letter.fields
    if values is None:
        raise InvalidInput(f"dead letter {letter.id}: its record could not be read; give its fields")
    try:
        mention = mention_from_fields(values)
    except ValidationError as exc:
        error, _ = first_error(exc)
        raise InvalidInput(f"dead letter {letter.id}: {error}") from None
    source = session.get(Source, letter.source_id)
    assert source is not None  # the letter goes with its source
    # as the poller does: an item another feed of the brand brought since is that mention
    known = (
        brand_mention_id(session, brand_id=source.brand_id, kind=source.kind, external_id=mention.external_id)
        if dedupes_across_sources(get_kind(source.kind))
        else None
    )
    if known is not None:
        result = IngestResult(imported=0, duplicates=1, ids=[known])
    else:
        result = ingest_mentions(
            session,
            source=source,
            mentions=[IncomingMention(mention=mention, raw=letter.raw, raw_format=letter.raw_format)],
        )
    letter.fields = dict(values)
    _resolve(session, letter, resolution="retried", actor_id=actor_id, now=now, mention_id=result.ids[0])
    return result


def discard_dead_letter(session: Session, *, letter: DeadLetter, actor_id: int | None, now: datetime) -> None:
    """Give up on a record; it stays listed as discarded, with who and when."""
    if letter.resolved_at is not None:
        raise Conflict(f"dead letter {letter.id} was {letter.resolution} already")
    _resolve(session, letter, resolution="discarded", actor_id=actor_id, now=now, mention_id=None)


def _resolve(
    session: Session,
    letter: DeadLetter,
    *,
    resolution: str,
    actor_id: int | None,
    now: datetime,
    mention_id: int | None,
) -> None:
    letter.resolved_at, letter.resolution, letter.resolved_by_id = now, resolution, actor_id
    letter.mention_id = mention_id
    record_event(
        session,
        brand_id=letter.brand_id,
        kind=EventKind.DEAD_LETTER_RETRIED if resolution == "retried" else EventKind.DEAD_LETTER_DISCARDED,
        subject_type="source",
        subject_id=letter.source_id,
        actor_id=actor_id,
        data={"dead_letter_id": letter.id, "mention_id": mention_id, "error": letter.error[:200]},
        occurred_at=now,
    )


def claim_webhook_signature(
    session: Session, *, source_id: int, signature: str, now: datetime, window: timedelta
) -> bool:
    """Remember a signature for the replay window; False when it was seen already (a replay)."""
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < now - 2 * window))
    seen = session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.source_id == source_id, WebhookDelivery.signature == signature
        )
    )
    if seen is not None:
        return False
    table = WebhookDelivery.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["source_id", "signature"])  # type: ignore[arg-type]
    claimed = session.execute(statement.values(source_id=source_id, signature=signature, received_at=now))
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def add_source(
    session: Session,
    *,
    brand_id: int,
    kind: ConnectorKind,
    name: str,
    config: Mapping[str, Any],
    box: Fernet,
    every_seconds: int | None = None,
) -> Source:
    """A new source of ``kind`` with its config checked and its secrets sealed; a name is used once."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name: from 1 to 200 characters")
    if get_source_by_name(session, brand_id=brand_id, name=name) is not None:
        raise Conflict(f"name: the brand has a source called {name!r} already")
    typed = validate_config(kind, config)
    source = get_or_create_source(
        session, brand_id=brand_id, kind=kind.name, name=name, config=seal_config(kind, typed, box)
    )
    state = get_or_create_state(session, source_id=source.id)
    if every_seconds is not None:
        set_poll_interval(session, source_id=source.id, every_seconds=every_seconds)
    state.next_poll_at = None  # due at once
    return source
