"""The file cache the test processes share for expensive analysed streams (tests/support/analysis_cache.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from tests.support.analysis_cache import cache_key, cached, source_digest


class Counter:
    def __init__(self, value: object) -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_a_second_process_reads_the_result_instead_of_computing_it(tmp_path: Path) -> None:
    first, second = Counter(["observations"]), Counter(["other"])
    assert cached(tmp_path, "stream", "k1", first) == ["observations"]
    assert cached(tmp_path, "stream", "k1", second) == ["observations"]
    assert (first.calls, second.calls) == (1, 0)


def test_a_new_key_computes_again_and_drops_the_entry_it_replaces(tmp_path: Path) -> None:
    cached(tmp_path, "stream", "old", Counter("before"))
    newer = Counter("after")
    assert cached(tmp_path, "stream", "new", newer) == "after"
    assert newer.calls == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stream-new.lock", "stream-new.pickle"]


def test_a_truncated_entry_is_computed_again(tmp_path: Path) -> None:
    cached(tmp_path, "stream", "k", Counter(list(range(1000))))
    entry = tmp_path / "stream-k.pickle"
    entry.write_bytes(entry.read_bytes()[:50])
    again = Counter("fresh")
    assert cached(tmp_path, "stream", "k", again) == "fresh"
    assert again.calls == 1


def test_the_key_is_locked_while_it_is_computed(tmp_path: Path) -> None:
    def compute() -> str:
        with pytest.raises(Timeout):
            FileLock(tmp_path / "stream-k.lock", timeout=0).acquire()
        return "done"

    assert cached(tmp_path, "stream", "k", compute) == "done"


def test_a_folder_that_cannot_be_written_only_costs_the_time(tmp_path: Path) -> None:
    taken = tmp_path / "a-file-not-a-folder"
    taken.write_text("")
    counter = Counter("computed")
    assert cached(taken / "cache", "stream", "k", counter) == "computed"
    assert cached(taken / "cache", "stream", "k", counter) == "computed"
    assert counter.calls == 2


def test_without_a_folder_it_computes_every_time() -> None:
    counter = Counter(1)
    cached(None, "stream", "k", counter)
    cached(None, "stream", "k", counter)
    assert counter.calls == 2


def test_any_edit_to_the_sources_or_the_input_changes_the_key(tmp_path: Path) -> None:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "analyzer.py").write_text("THRESHOLD = 1\n")
    before = source_digest(tmp_path / "src")
    (package / "analyzer.py").write_text("THRESHOLD = 2\n")
    edited = source_digest(tmp_path / "src")
    assert edited != before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "analyzer.pyc").write_bytes(b"compiled")
    assert source_digest(tmp_path / "src") == edited  # compiled files aside

    data = tmp_path / "stream.csv"
    data.write_text("a,b\n")
    key = cache_key(inputs=[data], arguments=["twcs"])
    assert cache_key(inputs=[data], arguments=["airline"]) != key
    data.write_text("a,c\n")
    assert cache_key(inputs=[data], arguments=["twcs"]) != key
