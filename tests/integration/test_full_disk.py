"""A full disk in the data folder: nothing is half stored or given up on, and all resumes with space.

The data folder is a real 16 MB filesystem (tmpfs, mounted as root, which `make test` is), filled
to the last byte by a file beside the database, as a log or a backup filling the disk would. The
embedded runner's SQLite database lives there.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ombuds.accounts import actions
from ombuds.db import make_engine, make_session_factory
from ombuds.mentions.models import Mention, Stage
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.settings import Settings
from ombuds.web.app import create_app

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


def _write_until_full(out: BinaryIO, chunk: bytes) -> None:
    while True:
        out.write(chunk)


def fill(path: Path) -> None:
    """Write to ``path`` until the filesystem has no byte left."""
    with path.open("wb", buffering=0) as out:
        for chunk in (b"\0" * 65536, b"\0"):  # big writes, then single bytes for the last ones
            with pytest.raises(OSError, match="No space left") as full:
                _write_until_full(out, chunk)
            assert full.value.errno == errno.ENOSPC


def mentions(start: int, count: int) -> list[dict[str, object]]:
    return [
        {
            "external_id": f"d-{number}",
            "author_handle": f"customer{number % 7}",
            "text": "My bag never arrived in Lisbon",
            "created_at": f"2026-11-02T08:{number // 60 % 60:02d}:{number % 60:02d}+00:00",
            "channel": "x",
        }
        for number in range(start, start + count)
    ]


def test_a_full_disk_refuses_new_mentions_keeps_waiting_ones_and_all_resumes_when_space_is_back(
    small_disk: Path, sqlite_template: Path
) -> None:
    database = small_disk / "ombuds.db"
    shutil.copyfile(sqlite_template, database)
    engine = make_engine(f"sqlite:///{database}")
    factory = make_session_factory(engine)
    with factory.begin() as session:
        brand = actions.create_brand(session, slug="skyways", name="Skyways")
        actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
        _, token = actions.create_api_token(session, brand=brand, name="feed")
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings=Settings(data_dir=small_disk), session_factory=factory)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.post("/api/v1/mentions", json=mentions(0, 40), headers=headers).status_code == 200
            filler = small_disk / "backup.tar"
            fill(filler)

            refused = client.post("/api/v1/mentions", json=mentions(40, 40), headers=headers)
            assert refused.status_code == 503, "nothing can be stored, and the sender is told so"
            assert int(refused.headers["Retry-After"]) > 0, "and when to send again"
            assert "disk is full" in refused.json()["detail"], refused.text
            with pytest.raises((OperationalError, OSError), match=r"full|No space left"):
                run_until_idle(factory, batch_size=20)  # the embedded runner tries again next round
            with factory() as session:
                stages = dict(
                    session.execute(select(Mention.stage, func.count()).group_by(Mention.stage)).all()
                )
            assert stages == {Stage.INGESTED: 40}, (
                "the refused request stored nothing; no mention was given up"
            )

            filler.unlink()  # space is back: a log rotated, a backup moved away
            again = client.post("/api/v1/mentions", json=mentions(40, 40), headers=headers)
            assert again.status_code == 200, again.text
            assert client.get("/healthz").status_code == 200
        report = run_until_idle(factory, batch_size=20)
        assert report.failed == 0
        with factory() as session:
            stages = dict(session.execute(select(Mention.stage, func.count()).group_by(Mention.stage)).all())
            ids = list(session.scalars(select(Mention.external_id)))
        assert stages == {Stage.DETECTED: 80}
        assert sorted(ids) == sorted(f"d-{n}" for n in range(80)), "each acknowledged mention stored once"
    finally:
        engine.dispose()
