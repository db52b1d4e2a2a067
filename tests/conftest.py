"""Shared fixtures: a migrated database per test, factories for the rows stories need."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.db import make_engine, make_session_factory
from ombuds.migrate import upgrade

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(name: str) -> Path:
    """A public data set beside the repository; tests that need it skip when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"public data set {name} not found at {SHARED_DATA}")
    return path


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ombuds.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def brand(session: Session) -> Brand:
    brand = actions.create_brand(session, slug="skyways", name="Skyways")
    actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
    session.commit()
    return brand


@pytest.fixture
def team(session: Session, brand: Brand) -> Team:
    from ombuds.accounts.queries import get_default_team

    found = get_default_team(session, brand.id)
    assert found is not None
    return found


@pytest.fixture
def agent(session: Session, brand: Brand) -> User:
    user = actions.create_user(
        session, email="agent@skyways.test", name="Ada Agent", password="correct horse"
    )
    actions.add_membership(session, user=user, brand=brand, role=Role.AGENT)
    session.commit()
    return user
