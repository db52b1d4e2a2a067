"""Reading exported files record by record: exact bytes, true line numbers, no record lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from ombuds.connectors.base import Cursor, RawRecord
from ombuds.connectors.files import FileFetcher, FileFormat, UnreadableFile, sniff_file

HEADER = b"id,author,text,created_at\n"


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def read_all(path: Path, *, batch_size: int = 1000, max_record_bytes: int = 1024 * 1024) -> list[RawRecord]:
    records: list[RawRecord] = []
    with FileFetcher(path, batch_size=batch_size, max_record_bytes=max_record_bytes) as source:
        cursor: Cursor | None = None
        while True:
            batch = source.fetch(cursor)
            records.extend(batch.records)
            if batch.is_last:
                return records
            cursor = batch.cursor


def test_a_multi_line_quoted_record_keeps_its_exact_bytes_and_its_first_line_number(tmp_path: Path) -> None:
    story = b'2,ana,"Line one\nline two with ""quotes""\r\nline three",2017-10-31T22:10:47+00:00'
    content = (
        HEADER + b"1,bo,hello,2017-10-31T22:10:47+00:00\n" + story + b"\n3,cy,bye,2017-10-31T23:00:00Z\n"
    )
    records = read_all(write(tmp_path, "export.csv", content))

    assert [record.position for record in records] == [2, 3, 6]
    assert records[1].raw == story
    assert records[1].fields is not None
    assert records[1].fields["text"] == 'Line one\nline two with "quotes"\r\nline three'
    assert all(record.raw_format == "csv" and record.problem is None for record in records)


def test_crlf_files_and_a_byte_order_mark_read_like_plain_ones(tmp_path: Path) -> None:
    content = b"\xef\xbb\xbfid,author,text,created_at\r\n1,bo,hi,2017-10-31\r\n\r\n2,cy,yo,2017-10-31\r\n"
    path = write(tmp_path, "windows.csv", content)
    with FileFetcher(path) as source:
        assert source.columns == ["id", "author", "text", "created_at"]
    records = read_all(path)

    assert [(record.position, record.raw) for record in records] == [
        (2, b"1,bo,hi,2017-10-31"),
        (4, b"2,cy,yo,2017-10-31"),
    ]


def test_invalid_utf8_names_the_column_and_keeps_the_original_bytes(tmp_path: Path) -> None:
    broken = b"2,ana,caf\xe9 au lait,2017-10-31"
    records = read_all(write(tmp_path, "latin.csv", HEADER + b"1,bo,fine,2017-10-31\n" + broken + b"\n"))

    problem = records[1].problem
    assert problem is not None
    assert problem.field == "text"
    assert "UTF-8" in problem.reason
    assert records[1].raw == broken
    assert records[1].position == 3


def test_a_quote_that_is_never_closed_costs_one_line_not_the_rest_of_the_file(tmp_path: Path) -> None:
    content = HEADER + b'1,bo,"oops,2017-10-31\n2,cy,fine,2017-10-31\n3,di,also fine,2017-10-31\n'
    records = read_all(write(tmp_path, "unclosed.csv", content))

    assert records[0].problem is not None
    assert "never closed" in records[0].problem.reason
    assert records[0].position == 2
    assert [record.fields["id"] for record in records[1:] if record.fields] == ["2", "3"]
    assert [record.position for record in records[1:]] == [3, 4]


def test_an_over_long_record_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    huge = b"2,ana," + b"x" * 5000 + b",2017-10-31\n"
    content = HEADER + b"1,bo,short,2017-10-31\n" + huge + b"3,cy,after,2017-10-31\n"
    records = read_all(write(tmp_path, "huge.csv", content), max_record_bytes=1000)

    assert records[1].problem is not None
    assert "longer than 1000 bytes" in records[1].problem.reason
    assert records[1].position == 3
    assert records[2].fields is not None
    assert records[2].fields["text"] == "after"
    assert records[2].position == 4


def test_a_row_with_the_wrong_number_of_fields_is_a_problem_not_a_guess(tmp_path: Path) -> None:
    records = read_all(write(tmp_path, "short.csv", HEADER + b"1,bo,no date here\n"))

    assert records[0].problem is not None
    assert "3 fields where the header has 4" in records[0].problem.reason


def test_reading_in_small_batches_gives_the_same_records_as_one_pass(tmp_path: Path) -> None:
    rows = b"".join(
        b'%d,user%d,"text %d\nsecond line",2017-10-31T22:10:47+00:00\n' % (i, i, i) for i in range(1, 24)
    )
    path = write(tmp_path, "many.csv", HEADER + rows)

    in_one_pass = read_all(path)
    in_batches = read_all(path, batch_size=5)

    assert len(in_one_pass) == 23
    assert [(r.position, r.raw) for r in in_batches] == [(r.position, r.raw) for r in in_one_pass]


def test_jsonl_lines_are_records_and_broken_lines_are_problems(tmp_path: Path) -> None:
    good = b'{"id": "1", "user": {"handle": "bo"}, "text": "caf\xc3\xa9"}'
    content = good + b"\n\n{not json}\n[1, 2]\n" + b'{"id": "5", "text": "\xff"}\n'
    path = write(tmp_path, "feed.jsonl", content)
    records = read_all(path)

    assert sniff_file(path).format is FileFormat.JSONL
    assert records[0].raw == good
    assert records[0].raw_format == "jsonl"
    assert records[0].fields == {"id": "1", "user": {"handle": "bo"}, "text": "café"}
    reasons = [(record.position, record.problem.reason) for record in records[1:] if record.problem]
    assert reasons[0][0] == 3
    assert reasons[0][1].startswith("invalid JSON")
    assert reasons[1] == (4, "a JSON object expected, found list")
    assert reasons[2][0] == 5
    assert "invalid UTF-8" in reasons[2][1]


def test_a_header_repeating_a_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "twice.csv", b"id,text,text\n1,a,b\n")
    with pytest.raises(UnreadableFile, match="'text' appears twice"):
        FileFetcher(path)


def test_a_header_with_bytes_that_are_not_utf8_names_the_field_as_a_person_counts(tmp_path: Path) -> None:
    path = write(tmp_path, "latin_header.csv", b"id,author,text,created_at,caf\xe9\n1,bo,fine,2017-10-31,x\n")
    with pytest.raises(UnreadableFile, match="header on line 1 is unusable: invalid UTF-8 bytes in field 5"):
        FileFetcher(path)
