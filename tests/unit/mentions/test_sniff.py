"""A file that is not CSV or JSON Lines is named for what it is, before anything is imported."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from ombuds.connectors.files import FileFormat, UnreadableFile, sniff_file

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sheet.xml", "<x/>")
    return buffer.getvalue()


NOT_CSV_OR_JSONL = [
    ("photo.csv", PNG, "PNG image"),
    ("tweets.csv", gzip.compress(b"id,text\n1,hi\n"), "gzip archive"),
    ("export.csv", _zip(), "ZIP archive"),
    ("page.csv", b"<!DOCTYPE html>\n<html><body>Login</body></html>", "HTML page"),
    ("feed.jsonl", b'<?xml version="1.0"?><rss></rss>', "XML or HTML markup"),
    ("dump.json", b'[{"id": 1}, {"id": 2}]', "JSON array"),
    ("pretty.json", b'{\n  "id": 1\n}\n', "spread over several lines"),
    ("blob.bin", bytes(range(256)) * 4, "binary data"),
    ("empty.csv", b"  \n\n", "empty"),
    ("latin1.csv", "id,text\n1,café\n2,crème\n3,naïve\n".encode("latin-1"), "not UTF-8"),
    ("utf16.csv", "id,text\n1,hi\n".encode("utf-16"), "UTF-16"),
    ("utf16le.csv", "id,text\n1,hi\n".encode("utf-16-le"), "UTF-16 text without its byte-order mark"),
    ("nul_header.csv", b"id,te\x00xt\n1,hi\n", "binary data (a NUL byte at byte 6)"),
]


# Named by file: archives carry timestamps, and ids must be the same in every test process.
@pytest.mark.parametrize(
    ("name", "content", "looks_like"), NOT_CSV_OR_JSONL, ids=[case[0] for case in NOT_CSV_OR_JSONL]
)
def test_files_that_are_not_csv_or_jsonl_are_refused_with_what_they_look_like(
    tmp_path: Path, name: str, content: bytes, looks_like: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(UnreadableFile) as refused:
        sniff_file(path)

    assert looks_like in str(refused.value)
    assert name in str(refused.value)


def test_csv_and_jsonl_are_told_apart_by_content_and_extension(tmp_path: Path) -> None:
    cases = {
        "a.csv": (b"id,text\n1,hi\n", FileFormat.CSV, ","),
        "b.txt": (b'{"id": "1", "text": "hi"}\n', FileFormat.JSONL, ","),
        "c.ndjson": (b'{"id": "1"}\n', FileFormat.JSONL, ","),
        "d.tsv": (b"id\ttext\n1\thi\n", FileFormat.CSV, "\t"),
        "e.csv": (b"id;text;created_at\n1;hi;2017-10-31\n", FileFormat.CSV, ";"),
        "f": (b"id,text\n1,hi\n", FileFormat.CSV, ","),
    }
    for name, (content, expected_format, delimiter) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        shape = sniff_file(path)
        assert (shape.format, shape.delimiter) == (expected_format, delimiter), name


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no such file"):
        sniff_file(tmp_path / "nowhere.csv")


def test_a_few_bad_bytes_do_not_condemn_a_whole_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "mostly.csv"
    path.write_bytes(b"id,text\n1,fine\n2,caf\xe9\n3,fine\n4,fine\n")

    assert sniff_file(path).format is FileFormat.CSV
