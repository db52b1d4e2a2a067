"""``ombuds bench pipeline --workers K``: the same measure on PostgreSQL with K ``ombuds worker``s.

Everything the embedded measure does (``pipeline_bench``: the airline mentions, a feeder process
accepting them through ingest and watching the inbox), with the distributed runner instead of
the embedded one: a throw-away PostgreSQL and Redis (``servers``), K ``ombuds worker``
processes of one pool process each, and in this process the dispatcher ``ombuds serve`` runs
with OMBUDS_RUNNER=celery. The clock stops when the last mention has passed every stage.

The throw-away PostgreSQL runs without fsync (its data is thrown away): a production server
writing to disk commits more slowly.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import multiprocessing.synchronize
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.db import make_engine, make_session_factory
from ombuds.mentions.models import Mention
from ombuds.pipeline.runner_celery import Dispatcher, make_celery
from ombuds.settings import Settings
from ombuds_lab.pipeline_bench import (
    DEFAULT_FILE,
    DONE,
    BenchmarkError,
    PipelineBenchmark,
    feeding,
    load_mentions,
    measured,
    prepare_database,
    warm_up_mentions,
)
from ombuds_lab.servers import (
    PostgresUnavailable,
    RedisUnavailable,
    remove_server,
    start_redis,
    start_server,
)

POLL_SECONDS = 0.05
WORKER_START_SECONDS = 180


def run_distributed_benchmark(
    *,
    count: int,
    workers: int,
    rate: float | None = None,
    in_flight: int = 1000,
    batch_size: int = 500,
    data_file: Path = DEFAULT_FILE,
    on_progress: Callable[[int], None] = lambda done: None,
) -> PipelineBenchmark:
    """Feed ``count`` mentions through ``workers`` distributed workers and measure."""
    if workers < 1:
        raise BenchmarkError("--workers: at least 1")
    if rate is not None and rate <= 0:
        raise BenchmarkError("--rate: mentions per second, more than 0")
    mentions = load_mentions(data_file, count)
    with (
        tempfile.TemporaryDirectory(prefix="ombuds-bench-") as folder,
        _servers(Path(folder)) as (url, redis_url),
    ):
        source_id = prepare_database(url, warm_up_mentions(mentions))
        settings = Settings(
            data_dir=Path(folder), database_url=url, redis_url=redis_url, pipeline_batch_size=batch_size
        )
        engine = make_engine(url)
        factory = make_session_factory(engine)
        dispatcher = Dispatcher(
            factory, make_celery(settings), batch_size=batch_size, poll_seconds=POLL_SECONDS
        )
        try:
            with _workers(settings, workers, Path(folder)):
                dispatcher.start()
                # the dispatcher looks every POLL_SECONDS: the feeder's wake goes unused
                with feeding(url, source_id, mentions, rate=rate, in_flight=in_flight) as feeder:
                    finished = _wait_until_done(
                        factory, source_id, count, feeder.fed, feeder.process, on_progress
                    )
                    started, latencies = feeder.results.get(timeout=600)
        finally:
            dispatcher.stop()
            engine.dispose()
    return measured(count, started, finished, latencies)


def _wait_until_done(
    factory: sessionmaker[Session],
    source_id: int,
    count: int,
    fed: multiprocessing.synchronize.Event,
    feeder: multiprocessing.process.BaseProcess,
    on_progress: Callable[[int], None],
) -> float:
    """Poll until the feeder is done and every mention it accepted passed every stage; when that was."""
    while True:
        was_fed = fed.is_set()
        with factory() as session:
            done = session.scalar(
                select(func.count()).where(Mention.source_id == source_id, Mention.stage.in_(DONE))
            )
        on_progress(done or 0)
        if was_fed and done == count:
            return time.monotonic()
        if feeder.exitcode not in (None, 0):
            raise BenchmarkError(f"the feeder process ended with exit code {feeder.exitcode}")
        time.sleep(POLL_SECONDS)


@contextmanager
def _servers(folder: Path) -> Iterator[tuple[str, str]]:
    """A throw-away PostgreSQL database and Redis server; their URLs."""
    try:
        postgres = start_server()
    except PostgresUnavailable as exc:
        raise BenchmarkError(str(exc)) from exc
    try:
        postgres.execute("CREATE DATABASE bench")
        try:
            redis_server = start_redis(folder)
        except RedisUnavailable as exc:
            raise BenchmarkError(str(exc)) from exc
        try:
            yield postgres.url("bench"), redis_server.url
        finally:
            redis_server.stop()
    finally:
        remove_server(postgres)


@contextmanager
def _workers(settings: Settings, count: int, folder: Path) -> Iterator[None]:
    """``count`` ``ombuds worker`` processes of one pool process each, ready to take tasks."""
    env = os.environ | {
        "OMBUDS_DATA_DIR": str(settings.data_dir),
        "OMBUDS_DATABASE_URL": settings.resolved_database_url,
        "OMBUDS_REDIS_URL": settings.redis_url,
        "OMBUDS_PIPELINE_BATCH_SIZE": str(settings.pipeline_batch_size),
    }
    # Pipeline only, like the embedded measure, which runs the stages and not the periodic work.
    command = [str(Path(sys.executable).with_name("ombuds")), "worker", "--concurrency", "1", "--no-periodic"]
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for number in range(count):
            log = folder / f"worker-{number}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
            processes.append((process, log))
        deadline = time.monotonic() + WORKER_START_SECONDS
        for process, log in processes:
            while b" ready." not in log.read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchmarkError(
                        f"a worker did not start:\n{log.read_text(errors='replace')[-2000:]}"
                    )
                time.sleep(0.2)  # polls the worker's log for its ready line
        yield
    finally:
        for process, _ in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
