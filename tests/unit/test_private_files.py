"""The data folder, the SQLite database and the secret key are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from ombuds.db import make_engine
from ombuds.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_private_to_the_owner(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var" / "ombuds")
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE note (body TEXT)"))
            connection.execute(text("INSERT INTO note VALUES ('my card is 4111 1111 1111 1111')"))
        database = settings.data_dir / "ombuds.db"
        assert _mode(settings.data_dir) == 0o700
        assert _mode(database) == 0o600
        # While connections are open, the write-ahead log holds the newest rows: private too.
        wal = database.with_name("ombuds.db-wal")
        assert wal.exists()
        assert _mode(wal) == 0o600
    finally:
        engine.dispose()
    assert _mode(database) == 0o600


def test_the_generated_secret_key_lives_in_a_private_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    settings.resolved_secret_key()

    assert _mode(settings.data_dir) == 0o700
    assert _mode(settings.data_dir / "secret_key") == 0o600


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_needs_no_file(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
    assert list(tmp_path.iterdir()) == []
