"""Poll a source: fetch a batch under a deadline, then store its mentions, its dead letters, the new
cursor and the source's health in one transaction.

A crash between fetch and store loses nothing: the stored cursor is still the old one, so the next
poll fetches the same records again and idempotent ingest drops what was stored already.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import Batch, ConnectorKind, Cursor, Fetcher, FetchFailed, RateLimited
from ombuds.connectors.registry import dedupes_across_sources, get_kind
from ombuds.connectors.secrets import SecretUnreadable, open_config
from ombuds.db import transaction
from ombuds.errors import InvalidInput, NotFound
from ombuds.mentions.actions import ingest_mentions, set_source_cursor
from ombuds.mentions.models import Source
from ombuds.mentions.schemas import IncomingMention
from ombuds.sources import actions
from ombuds.sources.backoff import retry_delay
from ombuds.sources.queries import known_external_ids_in_brand
from ombuds.sources.records import sort_records

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
#: beyond the connector's own network timeout, how long a fetch may take before it is abandoned
DEADLINE_GRACE_SECONDS = 5.0
MAX_BATCHES_PER_POLL = 20


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """One poll of one source: records fetched, mentions new and repeated, records in error."""

    source_id: int
    fetched: int = 0
    imported: int = 0
    duplicates: int = 0
    errors: int = 0
    failure: str | None = None

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "id": self.source_id,
            "fetched": self.fetched,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "errors": self.errors,
        }
        if self.failure is not None:
            answer["failure"] = self.failure
        return answer


def fetch_within(fetcher: Fetcher, cursor: Cursor | None, *, seconds: float) -> Batch:
    """``fetcher.fetch(cursor)``, or ``FetchFailed`` when it has not answered within ``seconds``.

    The fetch runs in a daemon thread: a connector stuck past its own timeout is left behind
    (its answer, if it ever comes, is dropped) instead of stalling the poller.
    """
    result: list[Batch] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fetcher.fetch(cursor))
        except BaseException as exc:  # handed to the polling thread, which decides
            error.append(exc)

    worker = threading.Thread(target=run, name=f"fetch-{fetcher.kind}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise FetchFailed(f"{fetcher.kind}: no answer within {seconds:g} s")
    if error:
        raise error[0]
    return result[0]


def _open(
    session: Session, source_id: int, box: Fernet, timeout: float
) -> tuple[Source, ConnectorKind, Fetcher]:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"source {source_id}: no such source")
    kind = get_kind(source.kind)
    config = open_config(kind, source.config, box, where=f"source {source_id}")
    fetcher = kind.fetcher(config, timeout=timeout)
    if fetcher is None:
        raise InvalidInput(f"source {source_id}: a {kind.name} source is not polled; it receives pushes")
    return source, kind, fetcher


def poll_source(
    factory: sessionmaker[Session],
    *,
    source_id: int,
    box: Fernet,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    clock: Clock = utcnow,
    rng: Callable[[], float] = random.random,
    max_batches: int = MAX_BATCHES_PER_POLL,
) -> PollOutcome:
    """Fetch and store batches until the source has nothing more waiting (or ``max_batches``).

    A fetch that fails records the error and schedules a retry with backoff and jitter (or after
    the wait a rate limit asked for) and keeps every batch stored before it.
    """
    try:
        with transaction(factory) as session:
            source, kind, fetcher = _open(session, source_id, box, timeout)
            cursor = Cursor(source.cursor) if source.cursor is not None else None
            brand_id = source.brand_id
    except (SecretUnreadable, InvalidInput) as exc:  # a broken config: say so in the health, retry later
        _record_failure(factory, source_id, FetchFailed(str(exc)), clock(), rng)
        return PollOutcome(source_id, errors=1, failure=str(exc))
    fetched = imported = duplicates = errors = 0
    try:
        for _ in range(max_batches):
            try:
                batch = fetch_within(fetcher, cursor, seconds=timeout + DEADLINE_GRACE_SECONDS)
            except Exception as exc:
                failed = exc if isinstance(exc, FetchFailed) else FetchFailed(f"{type(exc).__name__}: {exc}")
                _record_failure(factory, source_id, failed, clock(), rng)
                return PollOutcome(source_id, fetched, imported, duplicates, errors + 1, failure=str(failed))
            accepted, unusable = sort_records(list(batch.records))
            fetched += len(batch.records)
            errors += len(unusable)
            with transaction(factory) as session:
                stored = session.get(Source, source_id)
                assert stored is not None
                repeated, fresh = _split_known_in_brand(session, kind, brand_id, accepted)
                result = ingest_mentions(session, source=stored, mentions=fresh)
                imported += result.imported
                duplicates += result.duplicates + repeated
                now = clock()
                actions.add_dead_letters(session, source=stored, unusable=unusable, now=now)
                if batch.cursor is not None:
                    set_source_cursor(session, source=stored, cursor=batch.cursor.value)
                newest = max((item.mention.created_at for item in fresh), default=None)
                actions.record_poll_success(
                    session,
                    source_id=source_id,
                    imported=result.imported,
                    newest_created_at=newest,
                    now=now,
                    again_at=None if batch.is_last else now,
                )
            cursor = batch.cursor
            if batch.is_last:
                break
    finally:
        close = getattr(fetcher, "close", None)
        if callable(close):
            close()
    return PollOutcome(source_id, fetched, imported, duplicates, errors)


def _split_known_in_brand(
    session: Session, kind: ConnectorKind, brand_id: int, accepted: list[IncomingMention]
) -> tuple[int, list[IncomingMention]]:
    """For kinds that dedupe across sources: drop what another source of the brand brought."""
    if not accepted or not dedupes_across_sources(kind):
        return 0, accepted
    known = known_external_ids_in_brand(
        session,
        brand_id=brand_id,
        kind=kind.name,
        external_ids=[item.mention.external_id for item in accepted],
    )
    fresh = [item for item in accepted if item.mention.external_id not in known]
    return len(accepted) - len(fresh), fresh


def _record_failure(
    factory: sessionmaker[Session],
    source_id: int,
    failed: FetchFailed,
    now: datetime,
    rng: Callable[[], float],
) -> None:
    with transaction(factory) as session:
        state = actions.get_or_create_state(session, source_id=source_id)
        if isinstance(failed, RateLimited):
            wait = max(1.0, failed.retry_after)
        else:
            wait = retry_delay(state.consecutive_failures + 1, every_seconds=state.every_seconds, rng=rng)
        actions.record_poll_failure(
            session, source_id=source_id, error=str(failed), now=now, retry_at=now + timedelta(seconds=wait)
        )
    log.warning("source %s: poll failed, next try in %.0f s: %s", source_id, wait, failed)
