"""Polls every running source on its own interval, each in its own thread.

A channel that hangs holds only its own thread until its deadline (``poll_source``), so it never
delays another source or the pipeline; a source is never polled twice at once. Paused sources and
kinds that only receive pushes (webhooks) are skipped. Embedded in ``ombuds serve``; ``ombuds
sources poll`` runs it in the foreground.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import Clock, utcnow
from ombuds.connectors.registry import installed_kinds, polls
from ombuds.errors import InvalidInput, NotFound
from ombuds.mentions.models import Source
from ombuds.sources.poller import DEFAULT_TIMEOUT_SECONDS, PollOutcome, poll_source
from ombuds.sources.queries import list_due_source_ids, list_polled_sources

log = logging.getLogger(__name__)

MAX_PARALLEL_POLLS = 8


def polled_kinds() -> list[str]:
    return [name for name, kind in installed_kinds().items() if polls(kind)]


def poll_all_once(
    factory: sessionmaker[Session],
    *,
    box: Fernet,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    source_id: int | None = None,
) -> list[PollOutcome]:
    """Poll every running source once now (or only ``source_id``), side by side; outcomes by id."""
    with factory() as session:
        sources = list_polled_sources(session, kinds=polled_kinds(), source_id=source_id)
        if source_id is not None and not sources:
            found = session.get(Source, source_id)
            if found is None:
                raise NotFound(f"source {source_id}: no such source")
            if found.paused_at is not None:
                raise InvalidInput(
                    f"source {source_id}: it is paused; `ombuds sources resume {source_id}` first"
                )
            raise InvalidInput(f"source {source_id}: a {found.kind} source is not polled; it receives pushes")
        ids = [source.id for source in sources]
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_POLLS, len(ids)), thread_name_prefix="poll") as pool:
        return list(pool.map(lambda one: poll_source(factory, source_id=one, box=box, timeout=timeout), ids))


class Scheduler:
    """Starts a poll for each source whose next poll is due; ``on_imported`` runs after new mentions."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        box: Fernet,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        tick_seconds: float = 1.0,
        on_imported: Callable[[], None] | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.factory = factory
        self.box = box
        self.timeout = timeout
        self.tick_seconds = tick_seconds
        self.on_imported = on_imported
        self.clock = clock
        self._stopping = threading.Event()
        self._in_flight: set[int] = set()
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="source-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def run_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                self.start_due_polls()
            except Exception:  # the database may be away for a moment; the next tick tries again
                log.exception("source scheduler: could not look for due sources")
            self._stopping.wait(self.tick_seconds)

    def start_due_polls(self) -> list[int]:
        """Start a thread for each due source not being polled already; their ids."""
        with self.factory() as session:
            due = list_due_source_ids(session, kinds=polled_kinds(), now=self.clock())
        started = []
        with self._lock:
            for source_id in due:
                if source_id in self._in_flight or len(self._in_flight) >= MAX_PARALLEL_POLLS:
                    continue
                self._in_flight.add(source_id)
                threading.Thread(
                    target=self._poll, args=(source_id,), name=f"poll-source-{source_id}", daemon=True
                ).start()
                started.append(source_id)
        return started

    def _poll(self, source_id: int) -> None:
        try:
            outcome = poll_source(
                self.factory, source_id=source_id, box=self.box, timeout=self.timeout, clock=self.clock
            )
            if outcome.imported and self.on_imported is not None:
                self.on_imported()
        except Exception:
            log.exception("source %s: poll failed", source_id)
        finally:
            with self._lock:
                self._in_flight.discard(source_id)
                self._lock.notify_all()

    def polling(self) -> set[int]:
        """The sources being polled right now."""
        with self._lock:
            return set(self._in_flight)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no poll is running; False when some still runs after ``timeout`` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._in_flight, timeout)
