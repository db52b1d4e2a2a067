"""Only `db upgrade`, `serve` and `demo` change the schema; other commands say when it is behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import Result
from sqlalchemy import Engine, inspect, text
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.db import make_engine
from ombuds.migrate import alembic_config
from ombuds.settings import get_settings

Ombuds = Callable[..., Result]


@pytest.fixture
def ombuds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Ombuds]:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("OMBUDS_DATABASE_URL", raising=False)
    get_settings.cache_clear()

    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    yield run
    get_settings.cache_clear()


def revisions() -> tuple[str, str]:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_revision(script.get_current_head())
    assert head is not None
    assert isinstance(head.down_revision, str)
    return head.down_revision, head.revision


def test_a_command_on_a_missing_database_says_to_upgrade_and_creates_nothing(
    ombuds: Ombuds, tmp_path: Path
) -> None:
    refused = ombuds("brand", "list")

    assert refused.exit_code == 2
    assert "there is no database at sqlite:///" in refused.output
    assert "run `ombuds db upgrade`" in refused.output
    assert not (tmp_path / "var" / "ombuds.db").exists()

    upgraded = ombuds("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert "is up to date" in upgraded.output
    assert ombuds("brand", "list").exit_code == 0


def test_a_command_on_an_empty_database_says_to_upgrade(ombuds: Ombuds, tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'ombuds.db'}")
    with engine.connect():
        pass  # an empty SQLite file, as a typo'd path or a fresh volume leaves
    engine.dispose()

    refused = ombuds("token", "list")

    assert refused.exit_code == 2
    assert "is empty (no revision)" in refused.output
    assert "run `ombuds db upgrade`" in refused.output


def test_a_database_behind_this_ombuds_is_named_and_left_unchanged(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, ombuds: Ombuds, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL: the revision is checked, never silently migrated."""
    previous, head = revisions()
    with engine.begin() as connection:  # as if the last migration were still to run
        connection.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": previous})
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    tables = set(inspect(engine).get_table_names())
    mentions = tmp_path / "mentions.csv"
    mentions.write_text("external_id,author,text,created_at\n1,mara,Lost bag,2026-03-02T09:00:00Z\n")

    for command in (["user", "list"], ["pipeline", "status"], ["import", str(mentions), "--brand", "x"]):
        refused = ombuds(*command)
        assert refused.exit_code == 2, (command, refused.output)
        assert f"is at revision {previous}, this Ombuds needs {head}" in refused.output
        assert "run `ombuds db upgrade`" in refused.output

    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == previous
    assert set(inspect(engine).get_table_names()) == tables


def test_a_database_from_a_newer_ombuds_is_not_taken_for_an_older_one(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, ombuds: Ombuds
) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()

    refused = ombuds("brand", "list")

    assert refused.exit_code == 2
    assert "revision f00dfeedbeef, which this Ombuds does not know" in refused.output
