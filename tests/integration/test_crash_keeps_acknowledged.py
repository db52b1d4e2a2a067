"""A server killed mid-load keeps every mention it acknowledged, each with its own content.

The real ``ombuds serve`` runs as its own process on SQLite (WAL) with the embedded pipeline
working beside the web app; several clients post one mention per request; the server is killed
with SIGKILL while they post, then started again on the same data directory. Both servers listen
on one socket the test holds (``ombuds serve --fd``), so no other process can take the port between
the kill and the restart.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.db import make_engine
from ombuds.mentions.models import Mention
from tests.support.ports import listening_socket

pytestmark = pytest.mark.slow

OMBUDS = Path(sys.executable).with_name("ombuds")
CLIENTS = 6
ACKNOWLEDGED_BEFORE_KILL = 150
START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Acknowledged:
    mention_id: int
    external_id: str
    text: str


class ServeProcess:
    """``ombuds serve`` in its own process, on one data directory and a listening socket it is handed."""

    def __init__(self, data_dir: Path, listener: socket.socket, log: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("OMBUDS_")}
        env["OMBUDS_DATA_DIR"] = str(data_dir)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [str(OMBUDS), "serve", "--fd", str(listener.fileno())],
            pass_fds=[listener.fileno()],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"ombuds serve exited with {self.process.returncode}; see {self._log.name}"
                )
            try:
                if httpx2.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass  # not listening yet
            time.sleep(0.1)
        raise RuntimeError(
            f"ombuds serve did not answer within {START_TIMEOUT_SECONDS} s; see {self._log.name}"
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path) -> tuple[Path, str]:
    """A migrated SQLite database with one brand and its API token, as an operator would set up."""
    folder = tmp_path / "data"
    folder.mkdir()
    # A copy of the session's migrated template: the same schema without migrating again.
    shutil.copyfile(sqlite_template, folder / "ombuds.db")
    engine = make_engine(f"sqlite:///{folder / 'ombuds.db'}")
    with Session(engine) as session:
        brand = actions.create_brand(session, slug="skyways", name="Skyways")
        actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
        _, token = actions.create_api_token(session, brand=brand, name="load")
        session.commit()
    engine.dispose()
    return folder, token


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """The port both servers listen on, held by the test from the first start to the end."""
    with listening_socket() as sock:
        yield sock


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[ServeProcess]]:
    started: list[ServeProcess] = []
    yield started
    for server in started:
        server.stop()


def post_until_stopped(
    url: str,
    token: str,
    client_no: int,
    acknowledged: list[Acknowledged],
    lock: threading.Lock,
    enough: threading.Event,
    stop: threading.Event,
) -> None:
    """One mention per request until told to stop; every 200 is remembered with what was sent.

    Through the kill and the restart: a request the killed server dropped is simply not
    acknowledged, and one made while no server runs waits in the socket's backlog for the next.
    """
    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for seq in itertools.count():
            if stop.is_set():
                return
            external_id = f"client{client_no}-{seq}"
            text = f"Client {client_no} message {seq}: my bag never arrived"
            body = {
                "external_id": external_id,
                "author": f"c{client_no}",
                "text": text,
                "created_at": "2026-03-02T09:00:00+00:00",
            }
            try:
                answer = client.post("/api/v1/mentions", json=body)
            except httpx2.TransportError:
                continue  # cut off by the kill: not acknowledged, so nothing is promised
            if answer.status_code != 200:
                continue  # not acknowledged: the client would retry; nothing is promised
            [mention_id] = answer.json()["ids"]
            with lock:
                acknowledged.append(Acknowledged(mention_id, external_id, text))
                if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    enough.set()


def test_a_killed_server_keeps_every_mention_it_acknowledged(
    data_dir: tuple[Path, str], listener: socket.socket, servers: list[ServeProcess], tmp_path: Path
) -> None:
    folder, token = data_dir
    servers.append(ServeProcess(folder, listener, tmp_path / "serve.log"))
    servers[0].wait_until_ready()
    acknowledged: list[Acknowledged] = []
    lock, enough, stop = threading.Lock(), threading.Event(), threading.Event()
    clients = [
        threading.Thread(
            target=post_until_stopped,
            args=(servers[0].url, token, n, acknowledged, lock, enough, stop),
        )
        for n in range(CLIENTS)
    ]
    for client in clients:
        client.start()

    assert enough.wait(timeout=120), f"only {len(acknowledged)} mentions acknowledged in 120 s"
    servers[0].kill()  # while the clients are still posting
    servers.append(ServeProcess(folder, listener, tmp_path / "serve.log"))
    servers[1].wait_until_ready()
    stop.set()
    for client in clients:
        client.join(timeout=60)
    assert not any(client.is_alive() for client in clients), "a client still waits on the server"

    engine = make_engine(f"sqlite:///{folder / 'ombuds.db'}")
    try:
        with Session(engine) as session:
            ids = [ack.mention_id for ack in acknowledged]
            stored = {
                row.id: (row.external_id, row.text)
                for row in session.scalars(select(Mention).where(Mention.id.in_(ids)))
            }
    finally:
        engine.dispose()
    lost = [ack for ack in acknowledged if ack.mention_id not in stored]
    mixed_up = [
        ack
        for ack in acknowledged
        if ack.mention_id in stored and stored[ack.mention_id] != (ack.external_id, ack.text)
    ]
    assert lost == [], f"{len(lost)} of {len(acknowledged)} acknowledged mentions are gone"
    assert mixed_up == [], f"{len(mixed_up)} acknowledged ids now hold other mentions"
