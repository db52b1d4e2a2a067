"""The suite's PostgreSQL databases are reused only when the next test cannot tell them from a fresh clone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from ombuds.db import make_engine
from tests.support.postgres import PostgresServer
from tests.support.postgres_reuse import DatabasePool

pytestmark = pytest.mark.postgres

ADD_BRAND = "INSERT INTO brand (slug, name, created_at) VALUES (:slug, :slug, now()) RETURNING id"


@pytest.fixture
def pool(postgres_server: PostgresServer) -> Iterator[DatabasePool]:
    pool = DatabasePool(postgres_server)
    yield pool
    pool.close()


def engine_for(pool: DatabasePool, name: str) -> Engine:
    return make_engine(pool.server.url(name))


def exists(pool: DatabasePool, name: str) -> bool:
    engine = engine_for(pool, "postgres")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}
            )
            return found.scalar_one() == 1
    finally:
        engine.dispose()


def test_a_database_given_back_comes_back_empty_with_ids_from_one(pool: DatabasePool) -> None:
    name = pool.take()
    engine = engine_for(pool, name)
    with engine.begin() as connection:
        for slug in ("skyways", "rival-air"):
            connection.execute(text(ADD_BRAND), {"slug": slug})
    engine.dispose()
    pool.give_back(name)

    assert pool.take() == name, f"the emptied database is handed out again ({pool.dropped_because})"
    engine = engine_for(pool, name)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM brand")).scalar_one() == 0
        assert connection.execute(text(ADD_BRAND), {"slug": "fresh"}).scalar_one() == 1, "ids start again"
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()
    pool.give_back(name)


def test_a_database_whose_schema_changed_is_dropped(pool: DatabasePool) -> None:
    name = pool.take()
    engine = engine_for(pool, name)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE brand ADD COLUMN left_behind integer"))
    engine.dispose()
    pool.give_back(name)

    assert not exists(pool, name)
    assert pool.take() != name


def test_a_database_someone_is_still_connected_to_is_dropped(pool: DatabasePool) -> None:
    name = pool.take()
    engine = engine_for(pool, name)
    leaked = engine.connect()
    leaked.execute(text("SELECT 1"))
    pool.give_back(name)  # a test that left a connection open: its writes could reach the next test

    assert not exists(pool, name)
    with pytest.raises(OperationalError, match="terminating connection"):
        leaked.execute(text("SELECT 1"))
    leaked.invalidate()
    engine.dispose()
