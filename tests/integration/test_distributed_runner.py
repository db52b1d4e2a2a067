"""The distributed runner: ``ombuds serve`` (OMBUDS_RUNNER=celery) hands out, ``ombuds worker`` runs.

Real parts: the app on a loopback port, a real ``ombuds worker`` process (two pool processes),
the session's PostgreSQL and Redis servers. Each test writes to a brand of its own in one shared
database, so one worker serves the whole module. After each fault (a pool process killed with
SIGKILL mid-batch, PostgreSQL and Redis restarted while mentions pour in) every acknowledged
mention is stored once and goes through every stage, with no one stepping in.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand
from ombuds.db import make_engine, make_session_factory
from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.distributed import advance_brand, advance_ids, brand_partition
from ombuds.pipeline.runner_celery import Dispatcher, make_celery
from ombuds.pipeline.runner_inline import PipelineReport
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresServer
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TEXTS = (
    "My bag never arrived in Lisbon, three days now",
    "Flight 212 delayed again and nobody at the gate says why",
    "Thanks for the upgrade, the crew was lovely",
    "Refund still not in my account after six weeks",
    "App crashes every time I try to check in",
)
START = datetime(2026, 11, 2, 8, tzinfo=UTC)
#: Each test sends with tokens of its own; only the flood test comes near this.
API_PER_MINUTE = 120


@pytest.fixture(scope="module")
def database(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def settings(database: str, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("distributed"),
        database_url=database,
        redis_url=redis_server.url,
        runner="celery",
        pipeline_batch_size=200,
        pipeline_poll_seconds=0.2,
        worker_sweep_seconds=1,
        worker_stuck_seconds=2,
        api_requests_per_minute=API_PER_MINUTE,
    )


@pytest.fixture(scope="module")
def factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.resolved_database_url)
    yield make_session_factory(engine)
    engine.dispose()


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def worker(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """``ombuds worker`` as operators start it, in a process of its own."""
    env = os.environ | {
        "OMBUDS_DATA_DIR": str(settings.data_dir),
        "OMBUDS_DATABASE_URL": settings.resolved_database_url,
        "OMBUDS_REDIS_URL": settings.redis_url,
        "OMBUDS_PIPELINE_BATCH_SIZE": str(settings.pipeline_batch_size),
        "OMBUDS_WORKER_SWEEP_SECONDS": str(settings.worker_sweep_seconds),
        "OMBUDS_WORKER_STUCK_SECONDS": str(settings.worker_stuck_seconds),
    }
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    command = [str(Path(sys.executable).with_name("ombuds")), "worker", "--concurrency", "2"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    yield Worker(process, log)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(settings: Settings, factory: sessionmaker[Session], worker: Worker) -> Iterator[str]:
    """The app with the celery runner: it stores what it is sent and hands it to the workers."""
    app = create_app(settings=settings, session_factory=factory)
    dispatcher = Dispatcher(
        factory, make_celery(settings), batch_size=settings.pipeline_batch_size, poll_seconds=0.2
    )
    app.state.wake_pipeline = dispatcher.wake
    dispatcher.start()
    live = LiveServer(app)
    live.start()
    yield live.url
    live.stop()
    dispatcher.stop()


_slugs = itertools.count(1)


@dataclass
class Desk:
    """A brand of its own for one test, with a token to send its mentions."""

    brand_id: int
    headers: dict[str, str]
    external_ids: itertools.count[int] = field(default_factory=itertools.count)

    def mentions(self, count: int) -> list[dict[str, object]]:
        return [
            {
                "external_id": f"m-{number}",
                "author_handle": f"customer{number % 37}",
                "text": TEXTS[number % len(TEXTS)],
                "created_at": (START + timedelta(seconds=number)).isoformat(),
                "channel": "x",
            }
            for number in (next(self.external_ids) for _ in range(count))
        ]


@pytest.fixture
def desk(factory: sessionmaker[Session]) -> Desk:
    with factory.begin() as session:
        slug = f"desk{os.getpid()}x{next(_slugs)}"
        brand = actions.create_brand(session, slug=slug, name=slug)
        actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
        _, token = actions.create_api_token(session, brand=brand, name="feed")
        return Desk(brand.id, {"Authorization": f"Bearer {token}"})


def stages_of(factory: sessionmaker[Session], brand_id: int) -> dict[Stage, int]:
    with factory() as session:
        rows = session.execute(
            select(Mention.stage, func.count()).where(Mention.brand_id == brand_id).group_by(Mention.stage)
        )
        return dict(rows.all())


def external_ids_of(factory: sessionmaker[Session], brand_id: int) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(Mention.external_id).where(Mention.brand_id == brand_id)))


def wait_until(
    condition: Callable[[], bool],
    *,
    seconds: float,
    what: str,
    worker: Worker,
    state: Callable[[], object] = lambda: "",
) -> None:
    """Poll the condition (the database) until it holds; fail with the state and the worker's log."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {seconds} s {state()}; worker log:\n{worker.output()}")
        time.sleep(0.1)


def wait_until_processed(factory: sessionmaker[Session], desk: Desk, count: int, worker: Worker) -> None:
    wait_until(
        lambda: stages_of(factory, desk.brand_id) == {Stage.DETECTED: count},
        seconds=90,
        what=f"{count} mentions through every stage",
        worker=worker,
        state=lambda: stages_of(factory, desk.brand_id),
    )


def test_mentions_sent_to_the_app_go_through_every_stage_on_the_workers_once(
    server: str, worker: Worker, factory: sessionmaker[Session], desk: Desk
) -> None:
    batches = [desk.mentions(100) for _ in range(2)]
    with httpx.Client(base_url=server, headers=desk.headers, timeout=30) as client:
        for batch in [*batches, batches[0]]:  # the first batch twice: a sender retrying
            assert client.post("/api/v1/mentions", json=batch).status_code == 200

    wait_until_processed(factory, desk, 200, worker)
    with factory() as session:
        without_case = session.scalar(
            select(func.count()).where(Mention.brand_id == desk.brand_id, Mention.case_id.is_(None))
        )
    assert without_case == 0, "every customer message is on a case in the inbox"


def test_a_worker_killed_mid_batch_loses_nothing(
    server: str, worker: Worker, factory: sessionmaker[Session], desk: Desk
) -> None:
    with httpx.Client(base_url=server, headers=desk.headers, timeout=30) as client:
        assert client.post("/api/v1/mentions", json=desk.mentions(1000)).status_code == 200

    busy = text(
        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'ombuds-worker-%' "
        "AND xact_start IS NOT NULL AND datname = current_database()"
    )
    killed: list[int] = []

    def kill_one_in_a_batch() -> bool:
        with factory() as session:
            names = list(session.scalars(busy))
        for name in names:
            pid = int(name.rsplit("-", 1)[1])
            if pid != worker.process.pid:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return True
        return False

    wait_until(kill_one_in_a_batch, seconds=60, what="a pool process inside a batch", worker=worker)

    wait_until_processed(factory, desk, 1000, worker)
    assert sorted(external_ids_of(factory, desk.brand_id)) == sorted(f"m-{n}" for n in range(1000))
    assert worker.process.poll() is None, "the worker replaced its pool process and kept going"


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def test_a_celery_worker_that_dies_is_started_again_and_the_desk_goes_on(
    server: str, worker: Worker, factory: sessionmaker[Session], desk: Desk
) -> None:
    """What Celery's "Unrecoverable error" on a Redis reconnection does: the worker process ends."""
    (celery,) = _children(worker.process.pid)
    os.kill(celery, signal.SIGKILL)
    wait_until(
        lambda: _children(worker.process.pid) not in ([], [celery]),
        seconds=30,
        what="ombuds worker starting its Celery worker again",
        worker=worker,
    )
    with httpx.Client(base_url=server, headers=desk.headers, timeout=30) as client:
        assert client.post("/api/v1/mentions", json=desk.mentions(50)).status_code == 200
    wait_until_processed(factory, desk, 50, worker)
    assert worker.process.poll() is None
    assert "the worker ended with signal SIGKILL; starting it again" in worker.output()


def test_postgresql_and_redis_restarted_under_load_lose_nothing_acknowledged(
    server: str,
    worker: Worker,
    factory: sessionmaker[Session],
    desk: Desk,
    postgres_server: PostgresServer,
    redis_server: RedisServer,
) -> None:
    acknowledged: set[str] = set()
    refused: list[int] = []
    done = threading.Event()

    def feed() -> None:
        """A sender that retries what was not acknowledged, as webhooks do."""
        deadline = time.monotonic() + 120
        with httpx.Client(base_url=server, headers=desk.headers, timeout=10) as client:
            pending: list[dict[str, object]] = []
            while len(acknowledged) < 600 and not done.is_set() and time.monotonic() < deadline:
                pending = pending or desk.mentions(10)
                try:
                    answer = client.post("/api/v1/mentions", json=pending)
                except httpx.TransportError:
                    continue
                if answer.status_code == 200:
                    acknowledged.update(str(item["external_id"]) for item in pending)
                    pending = []
                else:
                    refused.append(answer.status_code)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        wait_until(lambda: len(acknowledged) >= 100, seconds=60, what="mentions flowing", worker=worker)
        postgres_server.restart()
        wait_until(
            lambda: len(acknowledged) >= 250,
            seconds=60,
            what="the app answering after PostgreSQL restarted",
            worker=worker,
        )
        redis_server.restart()
        wait_until(
            lambda: len(acknowledged) >= 400,
            seconds=60,
            what="the app answering after Redis restarted",
            worker=worker,
        )
    finally:
        feeder.join(timeout=60)
        done.set()

    stored = external_ids_of(factory, desk.brand_id)
    assert acknowledged <= set(stored), "every acknowledged mention is stored"
    assert len(stored) == len(set(stored)), "each mention stored once"
    wait_until_processed(factory, desk, len(stored), worker)
    assert set(refused) <= {500, 503}, f"refusals while a server was down: {sorted(set(refused))}"


class SetMarks:
    def __init__(self) -> None:
        self.marked: set[int] = set()

    def mark(self, brand_id: int) -> None:
        self.marked.add(brand_id)

    def clear(self, brand_id: int) -> None:
        self.marked.discard(brand_id)

    def is_marked(self, brand_id: int) -> bool:
        return brand_id in self.marked


def test_a_brand_has_one_consumer_and_work_arriving_while_it_drains_is_not_left(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """No worker here: the brand's ordered stages run only where its partition lock is held."""
    name = postgres_server.create_database()  # apart from the module's, which the worker serves
    engine = make_engine(postgres_server.url(name))
    factory = make_session_factory(engine)
    try:
        with factory.begin() as session:
            brand = actions.create_brand(session, slug="solo", name="Solo")
            actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
            _, token = actions.create_api_token(session, brand=brand, name="feed")
        desk = Desk(brand.id, {"Authorization": f"Bearer {token}"})
        app = create_app(settings=Settings(data_dir=tmp_path), session_factory=factory)
        with TestClient(app) as client:
            assert (
                client.post("/api/v1/mentions", json=desk.mentions(30), headers=desk.headers).status_code
                == 200
            )
        with factory() as session:
            ids = list(session.scalars(select(Mention.id)))
        assert advance_ids(factory, ids, report=PipelineReport()) == 30
        assert advance_ids(factory, ids, report=PipelineReport()) == 0, "a repeated task changes nothing"

        marks = SetMarks()
        with brand_partition(engine, brand.id) as held:
            assert held
            assert advance_brand(factory, marks, brand.id, batch_size=50, report=PipelineReport()) == 0
            assert marks.is_marked(brand.id), "the holder is told work arrived for it"
            assert stages_of(factory, brand.id) == {Stage.ENRICHED: 30}
        moved = advance_brand(factory, marks, brand.id, batch_size=50, report=PipelineReport())
        assert moved == 90  # threaded, routed, detected
        assert stages_of(factory, brand.id) == {Stage.DETECTED: 30}
    finally:
        engine.dispose()
        postgres_server.drop_database(name)


def test_under_a_flood_answers_keep_coming_the_limit_answers_429_and_nothing_acknowledged_is_lost(
    server: str, worker: Worker, factory: sessionmaker[Session], desk: Desk
) -> None:
    """Eight steady senders and one flooding token at once, on loopback, bounded in count."""
    with factory.begin() as session:
        brand = session.get(Brand, desk.brand_id)
        assert brand is not None
        _, flood_token = actions.create_api_token(session, brand=brand, name="flood")
    acknowledged: list[str] = []
    answers: list[tuple[str, int, str | None]] = []
    lock = threading.Lock()

    def send(headers: dict[str, str], requests: int, size: int, who: str) -> None:
        with httpx.Client(base_url=server, headers=headers, timeout=30) as client:
            for _ in range(requests):
                with lock:
                    batch = desk.mentions(size)
                answer = client.post("/api/v1/mentions", json=batch)
                with lock:
                    answers.append((who, answer.status_code, answer.headers.get("retry-after")))
                    if answer.status_code == 200:
                        acknowledged.extend(str(item["external_id"]) for item in batch)

    flood_headers = {"Authorization": f"Bearer {flood_token}"}
    senders = [threading.Thread(target=send, args=(desk.headers, 5, 5, "steady")) for _ in range(8)]
    senders.append(threading.Thread(target=send, args=(flood_headers, API_PER_MINUTE + 100, 1, "flood")))
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=120)
    assert not any(sender.is_alive() for sender in senders), "every request was answered"

    steady = [status for who, status, _ in answers if who == "steady"]
    flood = [(status, wait) for who, status, wait in answers if who == "flood"]
    assert steady == [200] * 40, "senders within their limit are all served"
    assert [status for status, _ in flood].count(200) == API_PER_MINUTE
    refused = [wait for status, wait in flood if status == 429]
    assert len(refused) == 100, f"the flood past its limit is refused: {sorted({s for s, _ in flood})}"
    assert all(wait is not None and 1 <= int(wait) <= 60 for wait in refused), "each 429 says when to retry"

    assert sorted(external_ids_of(factory, desk.brand_id)) == sorted(acknowledged), (
        "stored: exactly the acknowledged"
    )
    wait_until_processed(factory, desk, len(acknowledged), worker)
