"""``ombuds bench pipeline``: mentions per second through every stage, and how long each waits.

A fresh SQLite database (WAL) in a temporary folder, one brand with a default team, real-shaped
mentions (the airline tweets beside the repository, read at run time; past their count they come
round again a week later under new ids, so their authors write again).

Two processes, as ``ombuds serve`` and its clients would be: a feeder accepts mentions through
``ingest_mentions`` (each chunk is one committed transaction, like an API call) and watches the
inbox; this process runs the embedded runner's stages until every mention has passed them. Both
install the dashboard's session hooks (``metrics.rollup.install``), as ``ombuds serve`` does: each
commit refreshes the outcome and voice rows of what it touched, part of what a batch costs. Both
collect cycles as seldom as every ``ombuds`` command does (``pipeline.heap``).

* ``--rate R``: the feeder accepts R mentions a second, in chunks every 100 ms, whatever the
  runner does (an open loop: latency under a steady load).
* without it: the feeder keeps ``in_flight`` mentions accepted but not yet threaded (the inbox
  cannot list them yet), topping up as they pass (a closed loop: the most the pipeline sustains).
  A runner whose detection follows a round behind (``pipeline.sidecar``) holds a routed batch
  besides; counting it would starve the runner of the batch it reads ahead, and the desk sees
  those mentions already.

Latency: from the moment a mention's ingest committed to the moment the inbox's query (open cases
of the brand) lists its case, seen by the feeder polling every ``POLL_SECONDS``. Mentions that
get no case (reposts, brand posts that answer no case) are left out of it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import multiprocessing.synchronize
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_brand, create_team
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.db import make_engine, make_session_factory, transaction
from ombuds.enrichment.meaning import load_meaning
from ombuds.errors import InvalidInput
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.importing import open_import
from ombuds.mentions.mapping import RecordRejected, map_record
from ombuds.mentions.models import Mention, Source, Stage
from ombuds.mentions.schemas import IncomingMention
from ombuds.metrics import rollup
from ombuds.migrate import upgrade
from ombuds.pipeline.heap import tune_collector
from ombuds.pipeline.runner_inline import PipelineReport, run_until_idle
from ombuds.pipeline.sidecar import Sidecar

DEFAULT_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "airline_dev.csv"
POLL_SECONDS = 0.05
TICK_SECONDS = 0.1
DONE = (Stage.DETECTED, Stage.FAILED)
WARM_UP = 50


class BenchmarkError(Exception):
    """The benchmark cannot run as asked (no data file, a bad option)."""


@dataclass(frozen=True, slots=True)
class PipelineBenchmark:
    mentions: int
    seconds: float
    messages_per_second: float
    p50_ms: float
    p95_ms: float

    def as_json(self) -> dict[str, object]:
        return {
            "mentions": self.mentions,
            "seconds": round(self.seconds, 3),  # to the millisecond: a short run's rate follows from it
            "messages_per_second": round(self.messages_per_second, 1),
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
        }


def load_mentions(path: Path, count: int) -> list[IncomingMention]:
    """``count`` mentions from an airline-shaped CSV, in time order; the file comes round again a
    week after its last message, with new ids, as often as needed."""
    if not path.exists():
        raise BenchmarkError(f"{path}: no such file (the airline tweets, airline_dev.csv)")
    try:
        fetcher, field_map = open_import(path, preset_name="airline")
    except InvalidInput as exc:
        raise BenchmarkError(f"{path}: {exc}") from exc
    base: list[IncomingMention] = []
    with fetcher:
        cursor = None
        while True:
            batch = fetcher.fetch(cursor)
            for record in batch.records:
                if record.problem is not None or record.fields is None:
                    continue
                try:
                    mention = map_record(record.fields, field_map)
                except RecordRejected:
                    continue
                base.append(IncomingMention(mention=mention, raw=record.raw, raw_format=record.raw_format))
            if batch.is_last:
                break
            cursor = batch.cursor
    if not base:
        raise BenchmarkError(f"{path}: no usable mentions")
    base = list({incoming.mention.external_id: incoming for incoming in reversed(base)}.values())[::-1]
    base.sort(key=lambda incoming: incoming.mention.created_at)
    span = base[-1].mention.created_at - base[0].mention.created_at + timedelta(days=7)
    return [_again(base[i % len(base)], i // len(base), span) for i in range(count)]


def _again(incoming: IncomingMention, round_: int, span: timedelta) -> IncomingMention:
    if round_ == 0:
        return incoming
    mention = incoming.mention
    update: dict[str, Any] = {
        "external_id": f"{mention.external_id}-{round_}",
        "created_at": mention.created_at + span * round_,
    }
    if mention.in_reply_to:
        update["in_reply_to"] = f"{mention.in_reply_to}-{round_}"
    return IncomingMention(
        mention=mention.model_copy(update=update), raw=incoming.raw, raw_format=incoming.raw_format
    )


def warm_up_mentions(mentions: Sequence[IncomingMention]) -> list[IncomingMention]:
    """The first ``WARM_UP`` mentions again, under new ids, ending a day before the measured ones
    begin, so the detectors' clock starts before them as a running server's would. (Warming up on
    the last mentions put that clock after all of them: detection passed over every mention more
    than 48 hours older as too late to count, and the measure ran less detection than a server does.)
    """
    first = mentions[: min(WARM_UP, len(mentions))]
    shift = first[-1].mention.created_at - first[0].mention.created_at + timedelta(days=1)
    warm: list[IncomingMention] = []
    for incoming in first:
        mention = incoming.mention
        update: dict[str, Any] = {
            "external_id": f"{mention.external_id}-warm-up",
            "created_at": mention.created_at - shift,
        }
        if mention.in_reply_to:
            update["in_reply_to"] = f"{mention.in_reply_to}-warm-up"
        copy = mention.model_copy(update=update)
        warm.append(IncomingMention(mention=copy, raw=incoming.raw, raw_format=incoming.raw_format))
    return warm


def prepare_database(url: str, warm_up: Sequence[IncomingMention], sidecar: Sidecar | None = None) -> int:
    """A migrated database with one brand, its default team and a source; the source's id.

    ``warm_up`` mentions go through the pipeline first, under another source, so the clock starts
    on a runner that has loaded its models, as a server's has: the early-warning sentence model
    too, which a server loads once for its first small brand (a stream looks small in its first
    hours, so the measured part would otherwise pay the load, seconds once per process). A
    ``sidecar`` starts once the database is there and takes part in the warm-up, models loaded.
    """
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        upgrade(engine)
        with transaction(factory) as session:
            brand = create_brand(session, slug="bench", name="Benchmark")
            create_team(session, brand=brand, slug="care", name="Care", is_default=True)
            warm = get_or_create_source(session, brand_id=brand.id, kind="api", name="warm-up")
            ingest_mentions(session, source=warm, mentions=warm_up)
            source_id = get_or_create_source(session, brand_id=brand.id, kind="api", name="bench").id
        if sidecar is not None:
            sidecar.start(with_meaning=True)
        run_until_idle(factory, sidecar=sidecar)
        load_meaning()
        return source_id
    finally:
        engine.dispose()


def run_pipeline_benchmark(
    *,
    count: int,
    rate: float | None = None,
    in_flight: int = 1000,
    batch_size: int = 500,
    data_file: Path = DEFAULT_FILE,
    on_progress: Callable[[int], None] = lambda done: None,
    with_sidecar: bool = True,
) -> PipelineBenchmark:
    """Feed ``count`` mentions through the embedded runner and measure (see the module's docstring).

    ``with_sidecar``: the runner computes analysis and detection in a second process, as
    ``ombuds serve`` does on a machine of two cores or more (``pipeline.sidecar``)."""
    if count < 1:
        raise BenchmarkError("--mentions: at least 1")
    if rate is not None and rate <= 0:
        raise BenchmarkError("--rate: mentions per second, more than 0")
    mentions = load_mentions(data_file, count)
    rollup.install()
    tune_collector()  # as `ombuds serve` runs its stages (benchmarks/ calls this without the CLI)
    with tempfile.TemporaryDirectory(prefix="ombuds-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        sidecar = Sidecar(url, batch_size=batch_size) if with_sidecar else None
        engine = make_engine(url)
        try:
            source_id = prepare_database(url, warm_up_mentions(mentions), sidecar)
            with feeding(url, source_id, mentions, rate=rate, in_flight=in_flight) as feeder:
                finished = _run_until_fed(
                    make_session_factory(engine), batch_size, feeder.wake, feeder.fed, on_progress, sidecar
                )
                started, latencies = feeder.results.get(timeout=600)
        finally:
            if sidecar is not None:
                sidecar.close()
            engine.dispose()
    return measured(count, started, finished, latencies)


@dataclass(frozen=True, slots=True)
class Feeder:
    """The process that accepts mentions and times each until the inbox lists its case."""

    process: multiprocessing.process.BaseProcess
    wake: multiprocessing.synchronize.Event  # set when new mentions wait for the runner
    fed: multiprocessing.synchronize.Event  # set once every mention was accepted
    results: Any  # a queue: (the first acceptance's time, the latencies in seconds)


@contextmanager
def feeding(
    url: str, source_id: int, mentions: list[IncomingMention], *, rate: float | None, in_flight: int
) -> Iterator[Feeder]:
    """Run ``feed_and_watch`` in a fresh interpreter (no engine crosses over) while the body runs."""
    context = multiprocessing.get_context("spawn")
    wake, fed, results = context.Event(), context.Event(), context.Queue()
    process = context.Process(
        target=feed_and_watch,
        kwargs={
            "url": url,
            "source_id": source_id,
            "mentions": mentions,
            "rate": rate,
            "in_flight": in_flight,
            "wake": wake,
            "fed": fed,
            "results": results,
        },
        name="ombuds-bench-feeder",
    )
    process.start()
    try:
        yield Feeder(process=process, wake=wake, fed=fed, results=results)
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()


def measured(count: int, started: float, finished: float, latencies: Sequence[float]) -> PipelineBenchmark:
    seconds = max(finished - started, 1e-9)
    return PipelineBenchmark(
        mentions=count,
        seconds=seconds,
        messages_per_second=count / seconds,
        p50_ms=_percentile(latencies, 50) * 1000,
        p95_ms=_percentile(latencies, 95) * 1000,
    )


def _run_until_fed(
    factory: sessionmaker[Session],
    batch_size: int,
    wake: multiprocessing.synchronize.Event,
    fed: multiprocessing.synchronize.Event,
    on_progress: Callable[[int], None],
    sidecar: Sidecar | None = None,
) -> float:
    """The embedded runner's loop until the feeder is done and nothing waits; when the last mention passed."""
    done = 0
    finished = time.monotonic()
    while True:
        was_fed = fed.is_set()
        wake.clear()
        report: PipelineReport = run_until_idle(factory, batch_size=batch_size, sidecar=sidecar)
        if report.total:
            finished = time.monotonic()
            done += report.advanced["detect"]
            on_progress(done)
        elif was_fed:
            return finished
        else:
            wake.wait(TICK_SECONDS)


def _percentile(values: Sequence[float], percent: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


# --- the feeder process ------------------------------------------------------------------------


def feed_and_watch(
    *,
    url: str,
    source_id: int,
    mentions: list[IncomingMention],
    rate: float | None,
    in_flight: int,
    wake: multiprocessing.synchronize.Event,
    fed: multiprocessing.synchronize.Event,
    results: multiprocessing.Queue[tuple[float, list[float]]],
) -> None:
    """Accept the mentions (steadily at ``rate``, or keeping ``in_flight`` waiting) and time each
    until the inbox lists its case; puts (first acceptance, latencies in seconds) on ``results``."""
    rollup.install()  # as the server accepting them would have
    tune_collector()  # and its cycle collector, as every `ombuds` command's
    engine = make_engine(url)
    factory = make_session_factory(engine)
    accepted_at: dict[int, float] = {}
    latencies: list[float] = []
    chunks = _chunks(mentions, rate)
    started: float | None = None
    next_tick = time.monotonic()
    pending = next(chunks, None)
    try:
        while pending is not None or accepted_at:
            now = time.monotonic()
            topped_up = False
            if pending is not None and now >= next_tick and _may_feed(engine, rate, in_flight):
                ids = _accept(factory, source_id, pending)
                at = time.monotonic()
                started = started if started is not None else at
                accepted_at.update(dict.fromkeys(ids, at))
                wake.set()
                pending = next(chunks, None)
                next_tick = next_tick + TICK_SECONDS if rate else at
                topped_up = rate is None
                if pending is None:
                    fed.set()
            with engine.connect() as connection:
                listed = _newly_listed(connection, accepted_at)
            for mention_id, seen_at in listed:
                accepted = accepted_at.pop(mention_id)
                if seen_at is not None:
                    latencies.append(seen_at - accepted)
            # An open loop wakes for its next chunk on time; a closed loop tops up at once until it
            # holds ``in_flight`` (a chunk every POLL_SECONDS left the runner rounds with nothing
            # waiting, as a server's would not be), then polls every POLL_SECONDS (its next tick is
            # always past: waiting for it polled without pause, two queries a millisecond).
            if topped_up:
                continue
            due = next_tick - time.monotonic() if rate and pending else POLL_SECONDS
            time.sleep(max(0.0, min(POLL_SECONDS, due)))
    finally:
        fed.set()
        engine.dispose()
    results.put((started or time.monotonic(), latencies))


def _chunks(mentions: list[IncomingMention], rate: float | None) -> Iterator[list[IncomingMention]]:
    size = max(1, round(rate * TICK_SECONDS)) if rate else 250
    for start in range(0, len(mentions), size):
        yield mentions[start : start + size]


#: the markers of mentions the inbox cannot list yet (an ``IN`` reads the (stage, id) index's few
#: waiting entries; ``NOT IN`` the others would read the whole index, which grows with the run)
UNLISTED = (Stage.INGESTED, Stage.ENRICHED)
_UNLISTED = select(func.count()).select_from(Mention).where(Mention.stage.in_(UNLISTED))


def _may_feed(engine: Engine, rate: float | None, in_flight: int) -> bool:
    if rate:
        return True
    with engine.connect() as connection:
        return (connection.scalar(_UNLISTED) or 0) < in_flight


def _accept(factory: sessionmaker[Session], source_id: int, chunk: list[IncomingMention]) -> list[int]:
    with transaction(factory) as session:
        source = session.get(Source, source_id)
        assert source is not None
        return ingest_mentions(session, source=source, mentions=chunk).ids


#: the inbox's view of the mentions between two ids that have passed threading (built once: the
#: feeder asks 20 times a second, and building the statement each time cost more than running it)
_LISTED = (
    select(Mention.id, Mention.stage, Case.status)
    .outerjoin(Case, Case.id == Mention.case_id)
    .where(
        Mention.id.between(bindparam("first"), bindparam("last")),
        Mention.stage.not_in(UNLISTED),
    )
)


def _newly_listed(connection: Connection, waiting: dict[int, float]) -> list[tuple[int, float | None]]:
    """The waiting mentions whose case the inbox lists now (with the time), or that passed every
    stage without one (None).

    It asks for the span of ids the waiting mentions lie in, and only for those already threaded
    (before threading there is no case to list): sending every waiting id 20 times a second, and
    reading them all back, took the feeder as much CPU as the stages it measures.
    """
    if not waiting:
        return []
    found: list[tuple[int, float | None]] = []
    rows = connection.execute(_LISTED, {"first": min(waiting), "last": max(waiting)}).all()
    at = time.monotonic()
    for mention_id, stage, status in rows:
        if mention_id not in waiting:
            continue
        if status is not None and status in OPEN_STATUSES:  # the inbox's filter: open cases
            found.append((mention_id, at))
        elif stage in DONE:
            found.append((mention_id, None))
    return found
