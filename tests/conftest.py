"""Shared fixtures: a migrated database per test, factories for the rows stories need.

Databases: every test that asks for ``database_url`` (or ``engine``, ``session``, ...) gets its own
database, already migrated to head. Unit tests use SQLite (a copy of a template file migrated once
per session). Tests under ``tests/integration/`` run twice, on SQLite and on a real PostgreSQL
server that the session starts itself (ids ``[sqlite]`` and ``[postgresql]``); each PostgreSQL test
gets a clone of a migrated template database, or one a previous test used, emptied
(tests/support/postgres_reuse.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cli import app as cli_app
from ombuds.db import make_engine, make_session_factory
from ombuds.metrics import rollup
from ombuds.migrate import upgrade
from ombuds.settings import Settings, get_settings
from ombuds.web.app import create_app
from tests.support import dovecot, passwords, postgres
from tests.support import redis_server as redis_support
from tests.support.postgres_reuse import DatabasePool

TESTS = Path(__file__).resolve().parent
REPOSITORY = TESTS.parent
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
BACKENDS = ("sqlite", "postgresql")
# A user created or signed in costs 0.3 s of CPU at the product's argon2 cost; hundreds of them
# made minutes of the suite's time. Same algorithm, least cost (tests/support/passwords.py).
passwords.use_cheap_hashing()
if os.environ.get("PYTEST_XDIST_WORKER"):
    # One test process per core: a model's own threads would only fight the other processes for
    # the cores (the sentence encoder took twice the CPU, and longer); servers started inherit it.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# The tests' feeds, platforms and webhooks answer on loopback, which the desk refuses by default
# (tests/unit/test_outbound.py checks that refusal); the servers the tests start inherit this.
os.environ.setdefault("OMBUDS_OUTBOUND_ALLOW", "127.0.0.0/8,::1")
# The servers and commands the tests start compute alone; the sidecar has tests of its own.
os.environ.setdefault("OMBUDS_PIPELINE_SIDECAR", "off")


def shared_data(name: str) -> Path:
    """A public data set beside the repository; tests that need it skip when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"public data set {name} not found at {SHARED_DATA}")
    return path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    dovecot.stop_shared()  # each xdist worker's own, before it leaves


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Integration tests that touch the database run once per supported backend (on SQLite alone
    when marked ``one_database``)."""
    if "database_url" not in metafunc.fixturenames:
        return
    if "integration" not in metafunc.definition.path.relative_to(TESTS).parts[:1]:
        return
    backends = [pytest.param("sqlite", id="sqlite")]
    if metafunc.definition.get_closest_marker("one_database") is None:
        backends.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    # Closing the last connection checkpoints and removes the WAL, so the file alone is complete.
    assert not path.with_name(path.name + "-wal").exists(), "template WAL was not checkpointed"
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """A real PostgreSQL server for the session, with a migrated template database."""
    try:
        server = postgres.start_server()
    except postgres.PostgresUnavailable as exc:
        if os.geteuid() != 0:
            pytest.skip(f"{exc} (not root, so `make test` could not install it)")
        pytest.fail(f"{exc}; run `make test` (or scripts/install-system-deps.sh) as root first")
    try:
        server.create_template(upgrade)
        yield server
    finally:
        postgres.remove_server(server)


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: postgres.PostgresServer) -> Iterator[DatabasePool]:
    """Clones of the template for this process's tests, emptied and reused rather than cloned anew."""
    pool = DatabasePool(postgres_server)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis_support.RedisServer]:
    """A real Redis server for the session (the distributed runner's queue), on a free loopback port."""
    try:
        server = redis_support.start_server(tmp_path_factory.mktemp("redis"))
    except redis_support.RedisUnavailable as exc:
        if os.geteuid() != 0:
            pytest.skip(f"{exc} (not root, so `make test` could not install it)")
        pytest.fail(f"{exc}; run `make test` (or scripts/install-system-deps.sh) as root first")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dovecot_server() -> dovecot.DovecotServer:
    """A real IMAP server (Dovecot) for the session, on a free loopback port, with one mailbox user."""
    try:
        return dovecot.shared_server()  # stopped when the process ends; the contract's scenario shares it
    except dovecot.DovecotUnavailable as exc:
        if os.geteuid() != 0:
            pytest.skip(f"{exc} (not root, so `make test` could not install it)")
        pytest.fail(f"{exc}; run `make test` (or scripts/install-system-deps.sh) as root first")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database migrated to head, private to this test."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        path = tmp_path / "ombuds.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    elif backend == "postgresql":
        pool: DatabasePool = request.getfixturevalue("postgres_databases")
        name = pool.take()
        yield pool.server.url(name)
        pool.give_back(name)
    else:
        raise ValueError(f"unknown database backend {backend!r}; expected one of {BACKENDS}")


#: ``ombuds(...)``: the command line run in this process against the test's database.
Ombuds = Callable[..., Result]


@pytest.fixture
def ombuds(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ombuds]:
    """Run ``ombuds ARGS`` (a ``stdin=`` text is typed in) on the test's database and data folder."""
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def run(*args: str | Path, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli_app, [str(arg) for arg in args], input=stdin)

    yield run
    get_settings.cache_clear()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    rollup.install()  # as the app, the CLI and the runners do
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    """The app on this test's database, as a browser or an API caller reaches it."""
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        yield client


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
