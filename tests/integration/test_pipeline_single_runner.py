"""On one SQLite file one runner works at a time: `ombuds serve` and `ombuds pipeline run` never collide.

Two runners on one SQLite database took the same mentions, hit thousands of duplicate keys and
left a mention failed with "database is locked". Now the second runner waits for the first, or
(the background runner of `ombuds serve`) steps aside until the next round, and says who holds it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.cases.models import Case
from ombuds.db import make_engine, make_session_factory
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import EmbeddedRunner, run_until_idle
from ombuds.pipeline.runner_lock import RunnerBusy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COUNT = 60
HOLD_LOCK = """
import sys
from ombuds.db import make_engine
from ombuds.pipeline.runner_lock import single_runner
with single_runner(make_engine(sys.argv[1]), wait=False):
    print("held", flush=True)
    sys.stdin.read()  # hold until the test closes our stdin (or kills us)
"""


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A SQLite file with a brand and waiting mentions from many customers."""
    path = tmp_path / "ombuds.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        brand = accounts.create_brand(session, slug="skyways", name="Skyways")
        accounts.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
        mentions = []
        for index in range(COUNT):
            created = MentionCreate(
                external_id=f"m{index}",
                author=f"customer{index % 20}",
                text=f"@Skyways flight SK{index} delayed again, where is my bag number {index}?",
                created_at=T0 + timedelta(minutes=index),
                channel="x",
            )
            mentions.append(IncomingMention(created, created.model_dump_json().encode(), "json"))
        ingest_mentions(session, source=source, mentions=mentions)
    yield url, factory
    engine.dispose()


def _stages(factory: sessionmaker[Session]) -> dict[Stage, int]:
    with factory() as session:
        return dict(session.execute(select(Mention.stage, func.count()).group_by(Mention.stage)).all())  # type: ignore[arg-type]


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "OMBUDS_DATABASE_URL": url, "PYTHONPATH": str(Path.cwd() / "src")}


def test_a_second_runner_is_told_who_holds_the_database_and_goes_on_when_it_ends(
    database: tuple[str, sessionmaker[Session]],
) -> None:
    url, factory = database
    runner = EmbeddedRunner(factory, batch_size=10, poll_seconds=600)
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"

            with pytest.raises(
                RunnerBusy, match=rf"another Ombuds runner \(pid {holder.pid}\) is processing"
            ):
                run_until_idle(factory, wait=False)
            runner.start()  # what `ombuds serve` starts: it steps aside while the other runner works
            assert runner.idle.wait(60), "the background runner's first round did not finish"
            assert _stages(factory) == {Stage.INGESTED: COUNT}, "a runner worked while another held the lock"

            holder.send_signal(signal.SIGKILL)  # a crash releases the lock with the process
            holder.wait(30)
            runner.idle.clear()
            runner.wake()
            done = threading.Event()
            for _ in range(600):  # bounded wait for the background thread's next round (at most ~60 s)
                if _stages(factory) == {Stage.DETECTED: COUNT}:
                    done.set()
                    break
                done.wait(0.1)
            assert done.is_set(), f"after the crash the runner did not take over: {_stages(factory)}"
        finally:
            runner.stop()
            if holder.poll() is None:
                holder.kill()
                holder.wait(30)


def test_pipeline_run_beside_another_runner_processes_each_mention_once(
    database: tuple[str, sessionmaker[Session]],
) -> None:
    url, factory = database
    command = subprocess.Popen(
        [str(Path(sys.executable).with_name("ombuds")), "pipeline", "run", "--json"],
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    here = run_until_idle(factory, batch_size=5)  # the runner of `ombuds serve`, in this process
    out, err = command.communicate(timeout=300)

    assert command.returncode == 0, err
    there = json.loads(out)
    assert (here.failed, there["failed"]) == (0, 0), "a mention failed between two runners"
    assert "IntegrityError" not in err
    assert "database is locked" not in err
    for stage in ("enrich", "thread", "route", "detect"):
        assert here.advanced[stage] + there["advanced"].get(stage, 0) == COUNT, (
            f"{stage} ran twice or not at all"
        )
    assert _stages(factory) == {Stage.DETECTED: COUNT}
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 20, "one case per customer"
