"""What the sidecar process computes for the embedded runner: reading, never writing.

Two kinds of job, both pure computing over what the runner sends and what the database has
committed: a batch of mentions analysed ahead of the round that enriches it, and a batch fed to
a brand's detectors while the runner does the next round. The runner checks every answer against
what it holds (the same facts, the same engine versions, the detectors' stored version) and
writes it in its own transaction, so an answer that comes stale is dropped and the work is done
again in the round (``pipeline.sidecar``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection

from sqlalchemy.orm import Session, sessionmaker

from ombuds.enrichment.base import StoredFinding, stored
from ombuds.incidents.actions import new_state_version
from ombuds.incidents.detectors import BrandMonitor, Observation
from ombuds.incidents.models import DetectorState
from ombuds.incidents.stage import Observed, forget_resolved, journaled_after, observe_batch, stored_monitor
from ombuds.pipeline.picking import load_mentions
from ombuds.pipeline.stages import facts_and_basis

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reading:
    """One brand's part of a batch to analyse: its mentions, in the order the round takes them."""

    brand_id: int
    use_accurate: bool
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Analysed:
    """The findings of one brand's part, the versions of the engine that read them, the earlier
    mentions of their authors read with them (``stages.recent_basis``) and the reading's seconds."""

    versions: Mapping[str, str]
    findings: list[list[StoredFinding]]
    basis: tuple[int, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class Feeding:
    """One brand's observations for its detectors, after the stored monitor of ``version``."""

    brand_id: int
    version: int
    observations: tuple[Observation, ...]


@dataclass(frozen=True, slots=True)
class Fed:
    """What a feeding did: ``follows`` the stored version it fed, ``version`` the one to store."""

    brand_id: int
    follows: int
    version: int
    observed: Observed


Job = tuple[Reading, ...] | tuple[Feeding, ...]


class Work:
    """The sidecar's memory: the engines it loaded and each brand's monitor as it last left it."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        # brand -> (version it will be stored as, monitor, observations its journal holds)
        self._monitors: dict[int, tuple[int, BrandMonitor, int]] = {}

    def __call__(self, job: Job) -> dict[int, Analysed] | list[Fed]:
        if all(isinstance(part, Reading) for part in job):
            read = {part.brand_id: self.analyse(part) for part in job if isinstance(part, Reading)}
            return {brand_id: analysed for brand_id, analysed in read.items() if analysed is not None}
        return [self.feed(part) for part in job if isinstance(part, Feeding)]

    def analyse(self, reading: Reading) -> Analysed | None:
        """The part's findings, from the mentions and facts as committed now; None if one of its
        mentions is gone (the round reads that part itself)."""
        from ombuds.enrichment.brand_engines import load_engine_for_brand

        with self._factory() as session:
            engine = load_engine_for_brand(session, reading.brand_id, use_accurate=reading.use_accurate)
            found = {mention.id: mention for mention in load_mentions(session, reading.ids)}
            if len(found) < len(reading.ids):
                return None
            facts, basis = facts_and_basis(session, [found[mention_id] for mention_id in reading.ids])
        started = time.perf_counter()
        findings = engine.analyze(facts)
        seconds = time.perf_counter() - started
        return Analysed(dict(engine.versions), [[stored(f) for f in row] for row in findings], basis, seconds)

    def feed(self, feeding: Feeding) -> Fed:
        with self._factory() as session:
            follows, monitor, journaled, stored = self._monitor(session, feeding)
            resolved = forget_resolved(session, feeding.brand_id, monitor)
        observed = observe_batch(
            monitor, feeding.observations, resolved=resolved, stored=stored, journaled=journaled
        )
        version = new_state_version() if observed.whole is not None or observed.entry is not None else follows
        self._monitors[feeding.brand_id] = (version, monitor, journaled_after(journaled, observed))
        return Fed(feeding.brand_id, follows, version, observed)

    def _monitor(self, session: Session, feeding: Feeding) -> tuple[int, BrandMonitor, int, bool]:
        """The monitor to feed: the one kept when the runner stored what it did, else the database's."""
        kept = self._monitors.pop(feeding.brand_id, None)
        if kept is not None and kept[0] == feeding.version:
            return kept[0], kept[1], kept[2], True
        row = session.get(DetectorState, feeding.brand_id)
        version, state, settings = (row.version, row.state, row.settings) if row else (0, None, {})
        monitor, journaled = stored_monitor(
            session, brand_id=feeding.brand_id, state=state, settings=settings
        )
        return version, monitor, journaled, state is not None


def serve(url: str, jobs: Connection, answers: Connection, with_meaning: bool = False) -> None:
    """The sidecar's life: answer each numbered job in order until the runner closes the jobs'
    pipe (it stopped, or died). ``with_meaning``: load the sentence model before answering
    ready, as a process that has run the detectors on a small brand holds it. The shipped models
    are loaded before it says it is ready: a job that loaded one kept the runner waiting."""
    from ombuds.db import make_engine, make_session_factory
    from ombuds.enrichment.analyzers.language import load_identifier
    from ombuds.enrichment.engine import load_default_engine
    from ombuds.enrichment.meaning import load_meaning
    from ombuds.pipeline.heap import tune_collector

    logging.basicConfig(level=logging.INFO, format="%(asctime)s sidecar %(levelname)s %(message)s")
    tune_collector()
    engine = make_engine(url)
    work = Work(make_session_factory(engine))
    load_default_engine()
    load_identifier()  # else the first message in another language stalls a job by a second
    if with_meaning:
        load_meaning()
    answers.send((0, "ready"))
    try:
        while True:
            try:
                number, job = jobs.recv()
            except (EOFError, OSError):
                return
            try:
                answer: object = work(job)
            except Exception as error:  # the runner does the work itself; say why here
                log.exception("a sidecar job failed")
                answer = f"{type(error).__name__}: {error}"
            answers.send((number, answer))
    except KeyboardInterrupt:  # the server's Ctrl-C reaches its whole process group
        return
    finally:
        engine.dispose()
