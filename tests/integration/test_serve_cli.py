"""What `ombuds serve` says at start and what it hands the server: the data folder, the proxies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.settings import get_settings


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """What the server would have been started with (it is not started: the test would block)."""
    import ombuds.serve

    seen: dict[str, object] = {}
    monkeypatch.setattr(ombuds.serve, "serve", lambda **kwargs: seen.update(kwargs))
    get_settings.cache_clear()
    yield seen
    get_settings.cache_clear()


def test_serve_names_its_data_folder_and_trusts_the_configured_proxies(
    started: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "desk"))
    monkeypatch.setenv("OMBUDS_FORWARDED_ALLOW_IPS", "10.0.0.5")
    monkeypatch.setenv("OMBUDS_PORT", "8123")

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"Data folder {tmp_path / 'desk'}" in said
    assert "Forwarded headers trusted from 10.0.0.5" in said
    assert started["port"] == 8123
    assert (tmp_path / "desk" / "ombuds.db").is_file()
