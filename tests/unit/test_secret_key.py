"""The key that signs session cookies: long enough to resist guessing, or generated and kept private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from ombuds.settings import SECRET_KEY_MIN_BYTES, Settings

OMBUDS = Path(sys.executable).with_name("ombuds")


def test_a_short_configured_key_is_refused_naming_the_variable_and_the_minimum(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OMBUDS_SECRET_KEY", "x")

    with pytest.raises(ValidationError) as refused:
        Settings(data_dir=tmp_path)

    message = str(refused.value)
    assert "OMBUDS_SECRET_KEY is 1 bytes long" in message
    assert f"at least {SECRET_KEY_MIN_BYTES}" in message


def test_keys_are_measured_in_bytes_not_characters(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="31 bytes long"):
        Settings(data_dir=tmp_path, secret_key="k" * 31)
    # 16 characters of two bytes each: long enough.
    assert Settings(data_dir=tmp_path, secret_key="é" * 16).resolved_secret_key() == "é" * 16


def test_without_a_key_one_is_generated_long_and_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OMBUDS_SECRET_KEY", "")  # an empty variable counts as unset

    key = Settings(data_dir=tmp_path).resolved_secret_key()

    assert len(key.encode()) >= SECRET_KEY_MIN_BYTES
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path).resolved_secret_key() == key  # sessions survive a restart


def test_serve_refuses_to_start_with_a_short_key(tmp_path: Path) -> None:
    env = {**os.environ, "OMBUDS_SECRET_KEY": "x", "OMBUDS_DATA_DIR": str(tmp_path)}

    done = subprocess.run(
        [str(OMBUDS), "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 2
    assert done.stderr.startswith("error: OMBUDS_SECRET_KEY is 1 bytes long")  # one line, no traceback
    assert f"at least {SECRET_KEY_MIN_BYTES}" in done.stderr
    assert not (tmp_path / "ombuds.db").exists()  # refused before anything was created


def test_serve_refuses_a_kept_key_a_crash_left_empty_and_says_what_to_do(tmp_path: Path) -> None:
    """An empty key would sign anyone's cookie: the server stops with one clear line instead."""
    (tmp_path / "secret_key").write_text("")
    env = {**os.environ, "OMBUDS_SECRET_KEY": "", "OMBUDS_DATA_DIR": str(tmp_path)}

    done = subprocess.run(
        [str(OMBUDS), "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 2
    assert f"secret_key holds 0 bytes; a key needs at least {SECRET_KEY_MIN_BYTES}" in done.stderr
    assert "Move it aside" in done.stderr
    assert "sources' saved secrets" in done.stderr, "what making a new key costs"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["replies", "send"], ["brand", "list"]])
def test_a_kept_key_that_cannot_be_read_stops_every_command_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "secret_key").mkdir()  # say, a volume mounted at the wrong path
    env = {**os.environ, "OMBUDS_SECRET_KEY": "", "OMBUDS_DATA_DIR": str(tmp_path)}

    done = subprocess.run([str(OMBUDS), *command], env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 2
    assert f"{tmp_path / 'secret_key'}: Is a directory; move it aside" in done.stderr
    assert "Traceback" not in done.stderr


def test_processes_starting_together_keep_one_key(tmp_path: Path) -> None:
    starting = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from ombuds.settings import Settings; "
                "print(Settings(data_dir=sys.argv[1], secret_key=None).resolved_secret_key())",
                str(tmp_path),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in starting}

    assert keys == {(tmp_path / "secret_key").read_text()}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret_key"]  # no draft left behind
