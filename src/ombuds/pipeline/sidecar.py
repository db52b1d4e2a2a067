"""The sidecar: a second process that computes for the embedded runner, so a round uses both cores.

The runner is the one writer (SQLite has one) and most of a round is writing, but two parts are
pure computing over what a round holds: the analysers reading a batch and the detectors fed one,
about two fifths of a round's CPU. A second process that wrote too would wait for the write lock
most of the round (docs/performance.md), so the sidecar never writes. While a round threads and
routes, it reads the batch the next round will enrich; while the next round runs, it feeds the
detectors the batch this round routed. The runner writes each answer in its own transaction
after checking that it still holds (the same mentions and facts, the same engine versions, the
detectors' stored version unchanged); otherwise, or when the sidecar died or hangs, the round
does that work itself as it would without one. Detection's marker is set in the round that
writes the detectors' answer, so a round undone leaves those mentions waiting, never half done.
A sidecar that died is started again (``keep_alive``, asked before every round) without the
runner waiting for it: it takes work once it has loaded its models.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from ombuds.incidents.actions import detector_state_for_update
from ombuds.incidents.stage import detect, observations_for, write_observed
from ombuds.mentions.models import Direction, Mention, Stage
from ombuds.pipeline.picking import load_mentions, pick_batch, run_and_mark
from ombuds.pipeline.sidecar_work import Analysed, Fed, Feeding, Reading, serve
from ombuds.pipeline.stages import (
    STAGES,
    Findings,
    PipelineStage,
    by_brand,
    enrich,
    is_calm,
    read_here,
    recent_basis,
    waiting_beyond,
)
from ombuds.problems.stage import notice_returns
from ombuds.promises import stage as promises
from ombuds.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: How long the runner waits for one answer before it takes the sidecar for hung and stops it.
ANSWER_SECONDS = 300.0
START_SECONDS = 120.0
#: A sidecar that died is started again this many seconds later, twice as long after each start
#: that fails, at most ``RESTART_MAX_SECONDS``: a sidecar that cannot run (memory, a broken
#: install) costs a failed start every ten minutes, not every round.
RESTART_SECONDS = 5.0
RESTART_MAX_SECONDS = 600.0


_GONE = object()  # the sidecar's end of the answers' pipe closed


class SidecarState(NamedTuple):
    """A server's sidecar as its runner sees it: ``/metrics`` shows it."""

    up: bool  # computing beside the runner now
    starts: int  # processes started, the first included


def _send_all(outbox: queue.SimpleQueue[Any], pipe: Connection) -> None:
    """Hand each job to the sidecar; None closes the pipe (the sidecar then ends)."""
    with pipe:
        while (job := outbox.get()) is not None:
            try:
                pipe.send(job)
            except OSError:  # the sidecar is gone; the runner notices when it waits for an answer
                return


def _receive_all(pipe: Connection, inbox: queue.SimpleQueue[Any]) -> None:
    """Take each answer off the pipe as it comes, until the sidecar's end closes."""
    with pipe:
        while True:
            try:
                inbox.put(pipe.recv())
            except (EOFError, OSError):
                inbox.put(_GONE)
                return


@dataclass(frozen=True, slots=True)
class _Sent:
    """A job handed to the sidecar; ``number`` is None when it could not be."""

    number: int | None
    parts: dict[int, Any]  # brand -> Reading or Feeding
    ids: dict[int, list[int]]  # brand -> the batch's mention ids

    @property
    def mention_ids(self) -> list[int]:
        return [mention_id for ids in self.ids.values() for mention_id in ids]


def sidecar_for(engine: Engine, settings: Settings, *, waiting: int | None = None) -> Sidecar | None:
    """A sidecar for a runner on ``engine`` if the settings want one (``auto``: two cores or more),
    not yet started; with ``waiting``, only if at least two batches wait (starting one takes
    seconds: a short run is done sooner alone)."""
    wanted = settings.pipeline_sidecar == "on" or (
        settings.pipeline_sidecar == "auto" and (os.cpu_count() or 1) >= 2
    )
    if not wanted or (waiting is not None and waiting < 2 * settings.pipeline_batch_size):
        return None
    return Sidecar.for_engine(engine, batch_size=settings.pipeline_batch_size)


class Sidecar:
    """The runner's side: starts the process, hands it jobs, checks and writes its answers."""

    def __init__(self, url: str, *, batch_size: int) -> None:
        self._url = url
        self._batch_size = batch_size
        self._process: BaseProcess | None = None
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sent = 0
        self._ahead: _Sent | None = None  # the next round's batch, being read
        self._read: dict[int, Analysed] | None = None  # its answer, once claimed
        self._prepared: _Sent | None = None  # this round's batch for the detectors, sent at commit
        self._feeding: _Sent | None = None  # the last round's, being fed
        self._with_meaning = False
        self._starting: float | None = None  # when the process started, until it says it is ready
        self._restart_at: float | None = None  # when a sidecar that died is started again
        self._restart_wait = RESTART_SECONDS
        #: processes started, the first included (a start that failed counts)
        self.starts = 0

    @classmethod
    def for_engine(cls, engine: Engine, *, batch_size: int) -> Sidecar:
        return cls(engine.url.render_as_string(hide_password=False), batch_size=batch_size)

    # -- the process -------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        """Running and ready for work."""
        return self._running and self._starting is None

    @property
    def state(self) -> SidecarState:
        return SidecarState(up=self.alive, starts=self.starts)

    @property
    def _running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self, *, with_meaning: bool = False) -> bool:
        """Start the process and wait until it has loaded the analysis models (and the sentence
        model the detectors read small brands with, if ``with_meaning``); False if it failed."""
        self._spawn(with_meaning)
        return self._ready(self._answer(0, START_SECONDS))

    def keep_alive(self) -> None:
        """Start a sidecar that died again, once its wait is over, without waiting for it to load
        its models: a later call finds it ready (or takes it for failed after ``START_SECONDS``).
        A sidecar never started is left alone."""
        if self._process is not None and not self._running:
            self._lost("stopped")  # died between rounds: nobody was waiting for an answer
        if self._starting is not None:
            try:
                message = self._inbox.get_nowait()
            except queue.Empty:
                if time.monotonic() - self._starting > START_SECONDS:
                    self._lost("did not start")
                return
            self._ready(message[1] if isinstance(message, tuple) else None)
        elif self._process is None and self._restart_at is not None and time.monotonic() >= self._restart_at:
            self._restart_at = None
            log.info("starting the pipeline's sidecar again")
            self._spawn(self._with_meaning)

    def _ready(self, answer: Any) -> bool:
        if answer != "ready":
            if self._process is not None:  # not lost already, while it was waited for
                self._lost("did not start")
            return False
        self._starting = None
        self._restart_wait = RESTART_SECONDS
        if self.starts > 1:
            log.info("the pipeline's sidecar computes beside the runner again (process %s)", self.pid)
        return True

    def _lost(self, why: str) -> None:
        """The process is gone or of no use: stop it, forget what it was asked (nothing it owed
        will come; those rounds do the work themselves), and start another later."""
        log.warning("the pipeline's sidecar %s; the runner computes alone for now", why)
        self.close()
        self._ahead, self._read = None, None
        if self._feeding is not None:
            self._feeding = replace(self._feeding, number=None)
        self._restart_at = time.monotonic() + self._restart_wait
        self._restart_wait = min(2 * self._restart_wait, RESTART_MAX_SECONDS)

    def _spawn(self, with_meaning: bool) -> None:
        """Start the process; it answers job 0 with "ready" once its models are loaded.

        One pipe each way, each end in one process only: a sidecar killed in the middle of an
        answer closes its end, and the runner reads the end of the pipe instead of waiting for the
        rest of the answer; a runner killed closes the jobs' pipe, and the sidecar ends. A thread
        on each of the runner's ends sends and receives, so neither side waits for the other to
        read (a job and an answer of a few hundred kilobytes each would fill both pipes)."""
        context = multiprocessing.get_context("spawn")  # the server has threads: never fork it
        jobs_read, jobs_write = context.Pipe(duplex=False)
        answers_read, answers_write = context.Pipe(duplex=False)
        self._process = context.Process(
            target=serve,
            args=(self._url, jobs_read, answers_write, with_meaning),
            name="ombuds-sidecar",
            daemon=True,
        )
        self._process.start()
        jobs_read.close()
        answers_write.close()
        self._outbox, self._inbox = queue.SimpleQueue(), queue.SimpleQueue()
        threading.Thread(target=_send_all, args=(self._outbox, jobs_write), daemon=True).start()
        threading.Thread(target=_receive_all, args=(answers_read, self._inbox), daemon=True).start()
        self._with_meaning = with_meaning
        self._starting = time.monotonic()
        self.starts += 1

    def close(self) -> None:
        process, self._process = self._process, None
        self._starting = None
        if process is None:
            return
        self._outbox.put(None)  # the sender closes the jobs' pipe: the sidecar ends
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)

    def _submit(self, parts: dict[int, Any]) -> int | None:
        if not self.alive:
            return None
        self._sent += 1
        self._outbox.put((self._sent, tuple(parts.values())))
        return self._sent

    def _answer(self, number: int | None, seconds: float = ANSWER_SECONDS) -> Any:
        """The answer to job ``number``; earlier ones nobody claimed are dropped (answers come in
        order). None when the sidecar died, hung, or failed on the job (it logged why)."""
        if number is None or self._process is None:
            return None
        deadline = time.monotonic() + seconds
        while True:
            try:
                message = self._inbox.get(timeout=1.0)
            except queue.Empty:
                message = None
            if message is _GONE or (message is None and (not self._running or time.monotonic() > deadline)):
                self._lost("stopped answering")
                return None
            if message is None:
                continue
            got, answer = message
            if got < number:
                continue
            if got > number:
                return None
            if isinstance(answer, str) and number != 0:
                log.warning("the pipeline's sidecar failed on a job (%s); the round does it", answer)
                return None
            return answer

    # -- the round ---------------------------------------------------------------------------------

    def stages(self, stages: Sequence[PipelineStage] = STAGES) -> tuple[PipelineStage, ...]:
        """The stages with enrichment and detection done through the sidecar."""
        steps = {"enrich": self._enrich, "detect": self._detect}
        return tuple(
            replace(stage, step=partial(steps[stage.name], stage)) if stage.name in steps else stage
            for stage in stages
        )

    @property
    def owes(self) -> bool:
        """A batch is with the detectors: the runner is not idle until a round has written it."""
        return self._feeding is not None or self._prepared is not None

    def committed(self) -> None:
        """The round committed: hand the detectors the batch it routed."""
        prepared, self._prepared = self._prepared, None
        if prepared is not None:
            self._feeding = replace(prepared, number=self._submit(prepared.parts))

    def undone(self) -> None:
        """The round was undone: what it took or prepared waits in the database, as it was."""
        self._prepared = self._feeding = self._ahead = None
        self._read = None

    # enrichment: the next batch read ahead

    def _enrich(self, stage: PipelineStage, session: Session, now: datetime) -> int:
        """Enrich the batch read ahead (the oldest waiting, as a plain pick would take them, but
        no more: what came since waits for the next one), then hand the sidecar the next."""
        ahead = self._ahead
        batch = pick_batch(session, stage, len(ahead.mention_ids) if ahead is not None else self._batch_size)
        if batch:
            run_and_mark(session, replace(stage, run=partial(enrich, read=self._claim)), batch, now)
        self._ahead, self._read = None, None
        if batch:
            self._read_ahead(session, batch, now)
        return len(batch)

    def _claim(
        self, session: Session, brand_id: int, engine: Any, mentions: Sequence[Mention]
    ) -> tuple[Findings, float]:
        """The sidecar's findings for this brand's part of the batch, if it read exactly this: the
        same mentions, the same engine, the same earlier mentions of their authors."""
        ahead = self._ahead
        reading = ahead.parts.get(brand_id) if ahead is not None else None
        if ahead is not None and reading is not None and reading.ids == tuple(m.id for m in mentions):
            if self._read is None:
                answer = self._answer(ahead.number)
                self._read = answer if isinstance(answer, dict) else {}
            analysed = self._read.get(brand_id)
            if (
                analysed is not None
                and analysed.versions == engine.versions
                and analysed.basis == recent_basis(session, mentions)
            ):
                return analysed.findings, analysed.seconds
        return read_here(session, brand_id, engine, mentions)

    def _read_ahead(self, session: Session, mentions: Sequence[Mention], now: datetime) -> None:
        """Hand the sidecar the batch the next round will enrich: whatever waits beyond this one, up
        to a batch. (Waiting for half a batch left the rounds after a lull to read a whole batch
        here, a sixth of the runner's time in the benchmark; a small batch read ahead makes a
        short round instead.)
        The sidecar reads their facts itself; the round checks they are still the same."""
        if not self.alive:
            return
        after = max(mention.id for mention in mentions)
        following = session.execute(
            select(Mention.id, Mention.brand_id, Mention.received_at)
            .where(Mention.stage == Stage.INGESTED, Mention.id > after)
            .order_by(Mention.id)
            .limit(self._batch_size)
        ).all()
        if not following:
            return
        limit = get_settings().accurate_backlog_limit
        waiting = waiting_beyond(session, len(mentions) + len(following), limit)
        calm = is_calm(waiting_beyond_batch=waiting, oldest=following[0].received_at, now=now)
        ids: dict[int, list[int]] = defaultdict(list)
        for mention_id, brand_id, _ in following:
            ids[brand_id].append(mention_id)
        parts: dict[int, Any] = {
            brand_id: Reading(brand_id, calm, tuple(batch)) for brand_id, batch in ids.items()
        }
        self._ahead = _Sent(self._submit(parts), parts, dict(ids))

    # detection: one round behind

    def _detect(self, stage: PipelineStage, session: Session, now: datetime) -> int:
        """Write what the detectors made of the last round's batch, then prepare this round's."""
        moved = self._write_fed(session, now) if self._feeding is not None else 0
        batch = pick_batch(session, stage, self._batch_size)
        if not batch:
            return moved
        grouped = by_brand(batch)
        for brand_id in sorted(grouped):
            promises.match(session, brand_id=brand_id, mentions=batch)
        notice_returns(session, mentions=batch, now=now)
        parts: dict[int, Any] = {}
        for brand_id in sorted(grouped):
            inbound = [m for m in grouped[brand_id] if m.direction is Direction.INBOUND]
            row = detector_state_for_update(session, brand_id=brand_id, now=now)
            parts[brand_id] = Feeding(brand_id, row.version, tuple(observations_for(session, inbound)))
        ids = {brand_id: [m.id for m in mentions] for brand_id, mentions in grouped.items()}
        self._prepared = _Sent(None, parts, ids)
        return moved

    def _write_fed(self, session: Session, now: datetime) -> int:
        feeding, self._feeding = self._feeding, None
        assert feeding is not None
        answer = self._answer(feeding.number)
        fed_by_brand: dict[int, Fed] = (
            {fed.brand_id: fed for fed in answer} if isinstance(answer, list) else {}
        )
        for brand_id, ids in sorted(feeding.ids.items()):
            row = detector_state_for_update(session, brand_id=brand_id, now=now)
            fed = fed_by_brand.get(brand_id)
            if fed is not None and fed.follows == row.version:
                write_observed(
                    session, brand_id=brand_id, row=row, observed=fed.observed, now=now, version=fed.version
                )
            else:  # stale or missing: the detectors as stored see the batch here
                mentions = load_mentions(session, ids, Mention.stage == Stage.ROUTED)
                detect(session, brand_id=brand_id, mentions=mentions, now=now)
        session.execute(
            update(Mention)
            .where(Mention.id.in_(feeding.mention_ids), Mention.stage == Stage.ROUTED)
            .values(stage=Stage.DETECTED),
            execution_options={"synchronize_session": False},
        )
        return len(feeding.mention_ids)
