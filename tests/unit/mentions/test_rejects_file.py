"""Rejects are never lost: two imports started in the same second keep a file each, and a file
that exists is never written over."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ombuds.mentions.rejects import RejectsFile, default_rejects_path


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def test_two_imports_of_files_with_one_name_in_the_same_second_keep_every_reject(tmp_path: Path) -> None:
    folder = tmp_path / "rejects"
    path = default_rejects_path(folder, tmp_path / "a" / "export.csv")  # and b/export.csv, that second
    first, second, third = (RejectsFile(path, numbered=True) for _ in range(3))
    with first, second, third:
        for index, rejects in enumerate((first, second, third)):
            for line in range(1, 201):
                rejects.add(line=line, column="text", reason=f"import {index}", record=b"x")
    written = [first.path, second.path, third.path]
    assert len(set(written)) == 3
    assert [p.name for p in written[1:]] == [
        path.name.replace(".rejects.csv", "-2.rejects.csv"),
        path.name.replace(".rejects.csv", "-3.rejects.csv"),
    ]
    for index, rejects in enumerate((first, second, third)):
        rows = _rows(rejects.path)
        assert len(rows) == 200
        assert {row[2] for row in rows} == {f"import {index}"}


def test_a_named_rejects_file_that_exists_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    chosen = tmp_path / "mine.csv"
    chosen.write_bytes(b"line,column,reason,record\n1,,kept,x\n")
    with pytest.raises(FileExistsError, match="exists already"):
        RejectsFile(chosen)
    assert chosen.read_bytes() == b"line,column,reason,record\n1,,kept,x\n"


def test_no_file_is_made_when_nothing_is_rejected(tmp_path: Path) -> None:
    with RejectsFile(tmp_path / "none.rejects.csv", numbered=True) as rejects:
        pass
    assert rejects.written_path is None
    assert not (tmp_path / "none.rejects.csv").exists()
