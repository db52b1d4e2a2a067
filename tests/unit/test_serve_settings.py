"""Where an installation keeps its data, and whose forwarded headers `ombuds serve` believes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ombuds.settings import Settings


def test_data_lives_in_the_users_data_folder_not_where_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMBUDS_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.chdir(tmp_path)

    assert Settings().data_dir == tmp_path / "share" / "ombuds"
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "elsewhere"))
    assert Settings().data_dir == tmp_path / "elsewhere"


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted() -> None:
    assert Settings().forwarded_headers() == (False, None)
    assert Settings().forwarded_headers(proxy_headers=True) == (True, "127.0.0.1")
    behind = Settings(forwarded_allow_ips="10.0.0.5,10.0.0.6")
    assert behind.forwarded_headers() == (True, "10.0.0.5,10.0.0.6")
    assert behind.forwarded_headers(proxy_headers=True) == (True, "10.0.0.5,10.0.0.6")
