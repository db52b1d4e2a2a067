"""The distributed runner: the pipeline's stages as Celery tasks on Redis, over PostgreSQL.

``ombuds serve`` with ``OMBUDS_RUNNER=celery`` runs no stage: its ``Dispatcher`` hands newly
accepted mentions to the workers as batches of ids. ``ombuds worker`` processes run the tasks
(``distributed.py`` says what each does). Every ``worker_sweep_seconds`` one worker sweeps: it
sends again the mentions stuck waiting for analysis (a task lost with Redis, a worker killed
mid-batch), wakes the consumer of every brand with mentions waiting in an ordered stage, and
runs the periodic work the embedded runner runs after each round (alerts, SLA clocks).

Messages are acknowledged after the task ran (``acks_late``), so a worker killed mid-task has
its message given again; the database decides what is still to do, so giving it twice is harmless.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from celery import Celery, bootsteps
from sqlalchemy import make_url
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import utcnow
from ombuds.db import make_engine, make_session_factory
from ombuds.metrics import rollup
from ombuds.pipeline.distributed import (
    advance_brand,
    advance_ids,
    brands_waiting_in_order,
    require_postgresql,
    waiting_batches,
)
from ombuds.pipeline.reread import reread_when_calm
from ombuds.pipeline.runner_inline import PipelineReport
from ombuds.settings import Settings

log = logging.getLogger(__name__)

QUEUE = "ombuds"
#: The sweep travels apart, so the pipeline queue's length tells a backlog from lost work.
SWEEP_QUEUE = "ombuds-sweep"
IDS_TASK = "ombuds.pipeline.ids"
BRAND_TASK = "ombuds.pipeline.brand"
SWEEP_TASK = "ombuds.pipeline.sweep"
SWEEP_KEY = "ombuds:sweep"
#: How long a sweep asked for may take before another may be asked (a lost one is not waited for).
SWEEP_LEASE_MS = 120_000
#: How many waiting mentions one look at the database hands out at most.
HAND_OUT_LIMIT = 20_000

AfterSweep = Callable[[sessionmaker[Session]], object]


class RedisMarks:
    """The brands' "new work arrived" marks (``distributed.PendingMarks``), kept in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    @staticmethod
    def _key(brand_id: int) -> str:
        return f"ombuds:brand-pending:{brand_id}"

    def mark(self, brand_id: int) -> None:
        self._client.set(self._key(brand_id), 1, ex=3600)

    def clear(self, brand_id: int) -> None:
        self._client.delete(self._key(brand_id))

    def is_marked(self, brand_id: int) -> bool:
        return bool(self._client.exists(self._key(brand_id)))


@dataclass
class _ProcessState:
    """A worker process's database and Redis connections; a forked child makes its own."""

    pid: int
    factory: sessionmaker[Session]
    redis: redis.Redis


_state: _ProcessState | None = None
_state_lock = threading.Lock()


def _process_state(settings: Settings) -> _ProcessState:
    global _state
    with _state_lock:
        if _state is not None and _state.pid == os.getpid():
            return _state
        if _state is not None:  # inherited through fork: the parent's connections are not ours
            _state.factory.kw["bind"].dispose(close=False)
        url = make_url(settings.resolved_database_url)
        if url.get_backend_name() == "postgresql":  # names the process in pg_stat_activity
            url = url.update_query_dict({"application_name": f"ombuds-worker-{os.getpid()}"})
        engine = make_engine(url.render_as_string(hide_password=False))
        require_postgresql(engine)
        rollup.install()  # the dashboard's outcome rows follow every batch the worker writes
        _state = _ProcessState(
            pid=os.getpid(),
            factory=make_session_factory(engine),
            redis=redis.Redis.from_url(settings.redis_url),
        )
        return _state


def make_celery(settings: Settings, *, after_sweep: AfterSweep | None = None) -> Celery:
    """The Celery app of this installation, its tasks registered; nothing connects until used."""
    app = Celery("ombuds", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_routes={SWEEP_TASK: {"queue": SWEEP_QUEUE}},
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # a message whose worker vanished without a word comes back after this long; the sweep is sooner
        broker_transport_options={"visibility_timeout": 600},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits out a Redis restart instead of exiting
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    batch_size = settings.pipeline_batch_size

    def run_ids(brand_id: int, ids: list[int]) -> int:
        state = _process_state(settings)
        moved = advance_ids(state.factory, ids, report=PipelineReport())
        if moved:
            app.send_task(BRAND_TASK, args=[brand_id])
        return moved

    def run_brand(brand_id: int) -> int:
        state = _process_state(settings)
        return advance_brand(
            state.factory, RedisMarks(state.redis), brand_id, batch_size=batch_size, report=PipelineReport()
        )

    def run_sweep() -> None:
        state = _process_state(settings)
        try:
            # Mentions still waiting while tasks are queued are a backlog, not lost: sending them
            # again would bury the queue under copies. An empty queue and waiting mentions: lost.
            sent = sweep(app, state.factory, settings, resend=state.redis.llen(QUEUE) == 0)
            if sent:
                log.info("sweep sent %s tasks for mentions that waited", sent)
            if after_sweep is not None:
                after_sweep(state.factory)
        finally:  # the next sweep comes a period after this one ended, whoever asks for it
            state.redis.set(SWEEP_KEY, "resting", px=max(1, int(settings.worker_sweep_seconds * 1000)))

    for name, function in ((IDS_TASK, run_ids), (BRAND_TASK, run_brand), (SWEEP_TASK, run_sweep)):
        app.task(name=name)(function)
    return app


def hand_out(
    app: Celery,
    factory: sessionmaker[Session],
    *,
    batch_size: int,
    after_id: int = 0,
    stuck_seconds: float | None = None,
) -> tuple[int, int]:
    """Send the mentions waiting for analysis to the workers; returns (tasks sent, last id handed out)."""
    accepted_before = None if stuck_seconds is None else utcnow() - timedelta(seconds=stuck_seconds)
    sent = 0
    while True:
        with factory() as session:
            batches, last_id = waiting_batches(
                session,
                after_id=after_id,
                accepted_before=accepted_before,
                batch_size=batch_size,
                limit=HAND_OUT_LIMIT,
            )
        for brand_id, ids in batches:
            app.send_task(IDS_TASK, args=[brand_id, ids])
            sent += 1
        if last_id == after_id:
            return sent, last_id
        after_id = last_id


def sweep(app: Celery, factory: sessionmaker[Session], settings: Settings, *, resend: bool = True) -> int:
    """Wake every brand with work in an ordered stage; with ``resend``, send again what waited too long.

    When nothing waits at all, one batch of a burst is re-read by the accurate model.
    """
    sent = 0
    if resend:
        sent, _ = hand_out(
            app, factory, batch_size=settings.pipeline_batch_size, stuck_seconds=settings.worker_stuck_seconds
        )
    with factory() as session:
        brands = brands_waiting_in_order(session)
    for brand_id in brands:
        app.send_task(BRAND_TASK, args=[brand_id])
    if resend and sent == 0 and not brands:
        # Nothing waits and no task is queued: calm, so the accurate model re-reads one batch of
        # what the fast path read in a burst (``pipeline.reread``), one batch per sweep.
        reread_when_calm(factory, now=utcnow(), limit=settings.accurate_reread_batch)
    return sent + len(brands)


def housekeeping_step(settings: Settings) -> type[bootsteps.StartStopStep]:
    """A worker boot step that asks for a sweep at start and every ``worker_sweep_seconds``.

    The worker's main process only asks; the sweep runs as a task in a pool process. A Redis key
    lets one ask through per period among all the workers, and none while a sweep is under way.
    """

    class Housekeeping(bootsteps.StartStopStep):  # type: ignore[misc]  # celery has no types
        requires = {"celery.worker.components:Timer"}

        def __init__(self, parent: Any, **kwargs: Any) -> None:
            super().__init__(parent, **kwargs)
            self._timer: Any = None

        def start(self, parent: Any) -> None:
            app: Celery = parent.app
            client = redis.Redis.from_url(settings.redis_url)

            def ask_if_due() -> None:
                if client.set(SWEEP_KEY, "asked", nx=True, px=SWEEP_LEASE_MS):
                    app.send_task(SWEEP_TASK)

            ask = _safe(ask_if_due)
            ask()
            self._timer = parent.timer.call_repeatedly(settings.worker_sweep_seconds, ask, priority=10)

        def stop(self, parent: Any) -> None:
            if self._timer is not None:
                self._timer.cancel()

    return Housekeeping


def _safe(send: Callable[[], object]) -> Callable[[], None]:
    def call() -> None:
        try:
            send()
        except Exception:  # Redis away: the next tick asks again
            log.warning("could not ask for a sweep; trying again next period", exc_info=True)

    return call


class Dispatcher:
    """In ``ombuds serve`` with the celery runner: hands new mentions to the workers.

    ``wake()`` after an ingest sends them at once; otherwise it looks every ``poll_seconds``
    (mentions imported by another process). It remembers the last id it handed out, so each
    mention travels once from here; the workers' sweep covers a send lost on the way.
    """

    def __init__(
        self, factory: sessionmaker[Session], app: Celery, *, batch_size: int, poll_seconds: float
    ) -> None:
        self._factory = factory
        self._app = app
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._last_id = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ombuds-dispatcher", daemon=True)

    def start(self) -> None:
        require_postgresql(self._factory.kw["bind"])
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                _, self._last_id = hand_out(
                    self._app, self._factory, batch_size=self._batch_size, after_id=self._last_id
                )
            except Exception:  # PostgreSQL or Redis briefly away: the next round tries again
                log.exception("handing new mentions to the workers failed")
            self._wake.wait(self._poll_seconds)
