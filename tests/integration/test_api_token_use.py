"""API reads do not write: a token's last use is recorded at most once a minute."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import ApiToken, Brand
from ombuds.clock import utcnow
from ombuds.settings import Settings
from ombuds.web.app import create_app


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def token(session: Session, brand: Brand) -> tuple[ApiToken, dict[str, str]]:
    row, plain = actions.create_api_token(session, brand=brand, name="dashboard")
    session.commit()
    return row, {"Authorization": f"Bearer {plain}"}


def last_used(factory: sessionmaker[Session], token_id: int) -> datetime | None:
    with factory() as session:
        row = session.get(ApiToken, token_id)
        assert row is not None
        return row.last_used_at


def test_last_use_is_recorded_once_a_minute_not_on_every_request(
    client: TestClient,
    session_factory: sessionmaker[Session],
    token: tuple[ApiToken, dict[str, str]],
) -> None:
    row, headers = token

    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    first = last_used(session_factory, row.id)
    assert first is not None
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert last_used(session_factory, row.id) == first

    with session_factory.begin() as session:
        stored = session.get(ApiToken, row.id)
        assert stored is not None
        stored.last_used_at = utcnow() - timedelta(minutes=2)
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    later = last_used(session_factory, row.id)
    assert later is not None
    assert later > utcnow() - timedelta(seconds=30)


def test_token_reads_succeed_while_another_writer_holds_sqlite(
    client: TestClient, database_url: str, token: tuple[ApiToken, dict[str, str]]
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never wait for writers; SQLite has one writer at a time")
    _, headers = token
    assert client.get("/api/v1/cases", headers=headers).status_code == 200  # the use is recorded

    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # an import or the pipeline, in the middle of a batch
        answers = [client.get("/api/v1/cases", headers=headers).status_code for _ in range(3)]
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert answers == [200, 200, 200]
