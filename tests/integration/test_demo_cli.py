"""`ombuds demo` on a busy machine: a taken port fails at once, and no demo folder is left behind."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.settings import get_settings


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temporary directory the demo makes its folder in, watched by the test."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "operator"))
    get_settings.cache_clear()
    yield root
    get_settings.cache_clear()


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other server listens on."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_a_taken_port_fails_at_once_naming_a_free_one_and_leaves_nothing(
    temp_root: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ombuds.demo.run

    seeded: list[object] = []
    monkeypatch.setattr(ombuds.demo.run, "seed_demo", lambda *args, **kwargs: seeded.append(args))

    result = CliRunner().invoke(app, ["demo", "--port", str(taken_port)])

    assert result.exit_code == 2, result.output
    # not timed (a loaded machine can take seconds for anything): seeding, the slow part, never began
    assert seeded == [], "the port is checked before seeding, not after"
    message = " ".join(result.output.split())
    assert f"port {taken_port} on 127.0.0.1 is already in use" in message
    assert "is free: `ombuds demo --port" in message
    assert "make demo PORT=" in message
    assert list(temp_root.iterdir()) == [], "no demo folder was made"


def test_make_demo_checks_the_port_before_the_apps_imports(taken_port: int) -> None:
    check = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ombuds.ports", str(taken_port)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert check.returncode == 2
    assert f"port {taken_port} on 127.0.0.1 is already in use" in check.stderr
    # not timed (a loaded machine can take seconds for anything): what would make it slow is absent
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in check.stderr.splitlines()
        if line.startswith("import time:")
    ]
    heavy = [
        name
        for name in imported
        if name.split(".")[0] in {"sqlalchemy", "fastapi", "typer", "pydantic", "uvicorn"}
        or (name.startswith("ombuds.") and name != "ombuds.ports")
    ]
    assert "ombuds" in imported, "the import log was read"
    assert heavy == [], f"a fresh process answers before the app's imports, yet imported {heavy[:5]}"


def test_the_port_comes_from_ombuds_port_too(
    temp_root: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMBUDS_PORT", str(taken_port))

    result = CliRunner().invoke(app, ["demo"])

    assert result.exit_code == 2
    assert f"port {taken_port}" in result.output


@pytest.fixture
def broken_seeding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeding fails half way, after the database was made."""
    import ombuds.demo.run

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the scenario could not be built")

    monkeypatch.setattr(ombuds.demo.run, "seed_demo", broken)


@pytest.mark.usefixtures("broken_seeding")
def test_a_demo_that_fails_while_seeding_removes_its_temporary_folder(temp_root: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--no-serve"])

    assert isinstance(result.exception, RuntimeError)
    assert list(temp_root.iterdir()) == [], "the temporary folder went with the failed demo"


@pytest.mark.usefixtures("broken_seeding")
def test_a_folder_given_with_data_dir_is_kept(temp_root: Path, tmp_path: Path) -> None:
    kept = tmp_path / "my-demo"

    result = CliRunner().invoke(app, ["demo", "--no-serve", "--data-dir", str(kept)])

    assert isinstance(result.exception, RuntimeError)
    assert (kept / "ombuds.db").is_file(), "the operator's folder and its database stay"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700, "private, as serve makes it: the database and secrets"
    assert list(temp_root.iterdir()) == []
