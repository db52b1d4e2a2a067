"""What `ombuds serve` says at start and what it hands the server: the data folder, the proxies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.settings import get_settings
from tests.support.ports import listening_socket


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


def test_serve_on_a_socket_handed_over_names_where_that_socket_listens(
    started: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "desk"))
    with listening_socket() as sock:
        fd, port = sock.fileno(), sock.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--fd", str(fd)])
        # still open: reading its address closed a duplicate, not the socket the server gets
        assert sock.getsockname()[1] == port

    assert result.exit_code == 0, result.output
    assert f"Ombuds on http://127.0.0.1:{port}/" in " ".join(result.output.split())
    assert started["fd"] == fd


def test_serve_refuses_a_descriptor_that_is_not_a_socket(
    started: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "desk"))
    with (tmp_path / "notes.txt").open("w") as plain_file:
        fd = plain_file.fileno()
        result = CliRunner().invoke(app, ["serve", "--fd", str(fd)])

    assert result.exit_code == 2
    assert f"--fd {fd} is not an open socket" in " ".join(result.output.split())
    assert started == {}, "nothing was started"
