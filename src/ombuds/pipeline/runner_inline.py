"""The embedded runner: the pipeline's stages in one background thread inside ``ombuds serve``."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ombuds.clock import Clock, utcnow
from ombuds.enrichment.meaning import MeaningNotLoaded, load_meaning, loading_deferred
from ombuds.events import record_event
from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.picking import pick_batch, run_and_mark
from ombuds.pipeline.reread import reread_when_calm
from ombuds.pipeline.runner_lock import RunnerBusy, single_runner
from ombuds.pipeline.stages import STAGES, PipelineStage
from ombuds.settings import get_settings

if TYPE_CHECKING:
    from ombuds.pipeline.sidecar import Sidecar, SidecarState

log = logging.getLogger(__name__)


@dataclass
class PipelineReport:
    """How many mentions each stage moved on, and how many failed alone."""

    advanced: Counter[str] = field(default_factory=Counter)
    failed: int = 0

    @property
    def total(self) -> int:
        return sum(self.advanced.values())


def _fail_alone(
    factory: sessionmaker[Session], stage: PipelineStage, mention_id: int, error: Exception
) -> None:
    with factory.begin() as session:
        mention = session.get(Mention, mention_id)
        if mention is None or mention.stage is not stage.picks:
            return
        mention.stage = Stage.FAILED
        record_event(
            session,
            brand_id=mention.brand_id,
            kind="pipeline.failed",
            subject_type="mention",
            subject_id=mention.id,
            data={"stage": stage.name, "error": f"{type(error).__name__}: {error}"},
        )


def _outside_loads(work: Callable[[], int]) -> int:
    """``work`` (one transaction) without a model loading inside it: a transaction that needed
    the sentence model before this process had loaded it is undone (``MeaningNotLoaded``), the
    model loads with no transaction open, and the work runs again, as it would have the first
    time. An acceptance waiting for SQLite's write lock never waits for a load."""
    try:
        with loading_deferred():
            return work()
    except MeaningNotLoaded:
        log.info("loading the sentence model for early warning, outside any transaction")
        load_meaning()
        return work()


def _one_batch(
    factory: sessionmaker[Session],
    stage: PipelineStage,
    batch_size: int,
    now: datetime,
    where: Sequence[ColumnElement[bool]],
) -> int:
    with factory.begin() as session:
        batch = pick_batch(session, stage, batch_size, where)
        if batch:
            run_and_mark(session, stage, batch, now)
        return len(batch)


def _one_mention(factory: sessionmaker[Session], stage: PipelineStage, mention_id: int, now: datetime) -> int:
    with factory.begin() as session:
        mention = session.get(Mention, mention_id)
        if mention is None or mention.stage is not stage.picks:
            return 0
        run_and_mark(session, stage, [mention], now)
        return 1


def run_stage_batch(
    factory: sessionmaker[Session],
    stage: PipelineStage,
    *,
    batch_size: int,
    now: datetime,
    report: PipelineReport,
    where: Sequence[ColumnElement[bool]] = (),
) -> int:
    """One batch of one stage in one transaction; a failing batch is retried mention by mention.

    ``where`` narrows the mentions it picks (the distributed runner: a task's ids, one brand).
    """
    try:
        moved = _outside_loads(partial(_one_batch, factory, stage, batch_size, now, where))
    except OperationalError:
        # The database itself failed (gone, disk full, locked): no mention is to blame, so none is
        # failed alone; the batch stays waiting and the runner's next round takes it again.
        raise
    except Exception:
        log.exception("stage %s failed on a batch; retrying its mentions one by one", stage.name)
        with factory() as session:
            ids = [m.id for m in pick_batch(session, stage, batch_size, where)]
        moved = 0
        for mention_id in ids:
            try:
                moved += _outside_loads(partial(_one_mention, factory, stage, mention_id, now))
            except OperationalError:
                raise
            except Exception as error:
                log.exception("stage %s failed on mention %s", stage.name, mention_id)
                _fail_alone(factory, stage, mention_id, error)
                report.failed += 1
    report.advanced[stage.name] += moved
    return moved


def run_round(
    factory: sessionmaker[Session],
    stages: Sequence[PipelineStage],
    *,
    batch_size: int,
    now: datetime,
    report: PipelineReport,
    where: Sequence[ColumnElement[bool]] = (),
    sidecar: Sidecar | None = None,
) -> int:
    """A batch of every stage in turn, all in one transaction; returns how many moved.

    One commit where a stage each would take four: the session hooks refresh a case's outcome
    rows once for the whole chain, not once per stage that touched it. Each stage still picks
    as it would after the one before committed (the transaction sees its own marks), so the
    result is the same. A round that fails is undone whole and run again stage by stage
    (``run_stage_batch``), which puts the blame on one batch and then on one mention.
    ``where`` narrows the mentions every stage picks (the distributed runner: one brand).
    With a ``sidecar`` (``pipeline.sidecar``) the round's analysis and detection are computed in
    another process; the round still writes everything, and undone it leaves nothing behind.
    """
    moved: Counter[str] = Counter()
    round_stages = sidecar.stages(stages) if sidecar is not None else tuple(stages)

    def one_round() -> int:
        moved.clear()
        try:
            with factory.begin() as session:
                for stage in round_stages:
                    if stage.step is not None:
                        moved[stage.name] += stage.step(session, now)
                        continue
                    batch = pick_batch(session, stage, batch_size, where)
                    if batch:
                        run_and_mark(session, stage, batch, now)
                    moved[stage.name] += len(batch)
        except BaseException:
            if sidecar is not None:
                sidecar.undone()
            raise
        if sidecar is not None:
            sidecar.committed()
        return moved.total()

    try:
        _outside_loads(one_round)
    except OperationalError:
        raise
    except Exception:
        log.exception("a pipeline round failed; running its stages one at a time")
        return sum(
            run_stage_batch(factory, stage, batch_size=batch_size, now=now, report=report, where=where)
            for stage in stages
        )
    report.advanced.update(+moved)  # stages that moved nothing stay out of the report
    return sum(moved.values())


def run_until_idle(
    factory: sessionmaker[Session],
    *,
    batch_size: int = 500,
    now: Clock = utcnow,
    stages: Sequence[PipelineStage] = STAGES,
    wait: bool = True,
    reread: bool = True,
    sidecar: Sidecar | None = None,
) -> PipelineReport:
    """Run every stage until no mention is waiting; returns what moved.

    With nothing waiting, the accurate model re-reads one batch of what the fast path read in a
    burst (``pipeline.reread``, counted as ``reread``), then the stages come first again: fresh
    mentions wait for one such batch at most.

    Safe to call concurrently: on PostgreSQL runners share the work; on SQLite one runs at a
    time (``runner_lock``), and another caller waits for it, or with ``wait=False`` gets
    ``RunnerBusy``.
    """
    engine = factory.kw["bind"]
    report = PipelineReport()
    with single_runner(engine, wait=wait):
        while True:
            if sidecar is not None:
                sidecar.keep_alive()
            moved = run_round(
                factory, stages, batch_size=batch_size, now=now(), report=report, sidecar=sidecar
            )
            if moved == 0 and not (sidecar is not None and sidecar.owes):
                limit = get_settings().accurate_reread_batch
                reread_now = reread_when_calm(factory, now=now(), limit=limit) if reread else 0
                if reread_now == 0:
                    return report
                report.advanced["reread"] += reread_now


def count_waiting(session: Session) -> dict[str, int]:
    """Mentions per stage marker; what an operator looks at when something seems stuck."""
    rows = session.execute(select(Mention.stage, func.count()).group_by(Mention.stage))
    return {stage.value: count for stage, count in rows}


class EmbeddedRunner:
    """Processes new mentions in the background; ``wake()`` after an ingest skips the poll wait."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        batch_size: int,
        poll_seconds: float,
        after_round: Callable[[], object] | None = None,
        sidecar: Sidecar | None = None,
    ) -> None:
        self._factory = factory
        self._sidecar = sidecar  # started in the runner's thread: the server answers meanwhile
        self._after_round = after_round  # e.g. send the alerts detection queued
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.idle = threading.Event()  # set while it waits for the next poll or wake-up
        self._thread = threading.Thread(target=self._loop, name="ombuds-pipeline", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def sidecar_state(self) -> SidecarState | None:
        """Whether the sidecar computes now, and how many were started; None without one."""
        return self._sidecar.state if self._sidecar is not None else None

    def _loop(self) -> None:
        sidecar = self._sidecar
        # one that never started (its models would not load) is not started again: it would fail again
        if sidecar is not None and sidecar.start():
            log.info("the pipeline's sidecar computes beside the runner (process %s)", sidecar.pid)
        else:
            sidecar = None
        try:
            self._rounds(sidecar)
        finally:
            if self._sidecar is not None:
                self._sidecar.close()

    def _rounds(self, sidecar: Sidecar | None) -> None:
        while not self._stop.is_set():
            try:
                report = run_until_idle(
                    self._factory, batch_size=self._batch_size, wait=False, sidecar=sidecar
                )
                if report.total:
                    log.info("pipeline advanced %s", dict(report.advanced))
                if self._after_round is not None:
                    self._after_round()
            except RunnerBusy as busy:  # `ombuds pipeline run` has the database; try again next round
                log.info("%s", busy)
            except Exception:  # the database may be briefly unavailable; try again next round
                log.exception("pipeline round failed")
            self.idle.set()
            self._wake.wait(self._poll_seconds)
            self.idle.clear()
            self._wake.clear()
