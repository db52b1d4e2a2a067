"""A CSV or JSON Lines file as a fetcher: batches of records and a cursor (byte offset, line)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, ClassVar

from ombuds.connectors.base import Batch, Cursor, RawRecord
from ombuds.connectors.files.records import (
    DEFAULT_MAX_RECORD_BYTES,
    Position,
    iter_csv_records,
    iter_jsonl_records,
)
from ombuds.connectors.files.sniff import FileFormat, FileShape, UnreadableFile, sniff_file


class FileFetcher:
    """Reads a file in batches; use it as a context manager so the file is closed.

    The CSV header is read on opening, so a file whose header cannot be read fails before
    anything is imported. ``columns`` is the header for CSV and empty for JSON Lines.
    """

    kind: ClassVar[str] = "file"

    def __init__(
        self,
        path: Path,
        *,
        shape: FileShape | None = None,
        batch_size: int = 1000,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    ) -> None:
        self.path = path
        self.shape = shape or sniff_file(path)
        self.batch_size = batch_size
        self.max_record_bytes = max_record_bytes
        self.size = path.stat().st_size
        self._stream: BinaryIO = path.open("rb")
        self.columns: list[str] = []
        self._data_start = Position(0, 1)
        if self.shape.format is FileFormat.CSV:
            try:
                self._read_header()
            except BaseException:
                self.close()
                raise

    def _read_header(self) -> None:
        found = next(self._csv_records(Position(0, 1), columns=None), None)
        if found is None:
            raise UnreadableFile(f"{self.path.name}: no header line")
        record, after = found
        if record.problem is not None or record.fields is None:
            reason = record.problem.reason if record.problem else "unreadable"
            raise UnreadableFile(
                f"{self.path.name}: the header on line {record.position} is unusable: {reason}"
            )
        columns = [str(value).removeprefix("\ufeff").strip() for value in record.fields.values()]
        seen: set[str] = set()
        for column in columns:
            if column and column in seen:
                raise UnreadableFile(f"{self.path.name}: column {column!r} appears twice in the header")
            seen.add(column)
        self.columns = columns
        self._data_start = after

    def _csv_records(
        self, start: Position, columns: list[str] | None
    ) -> Iterator[tuple[RawRecord, Position]]:
        return iter_csv_records(
            self._stream,
            start=start,
            columns=columns,
            delimiter=self.shape.delimiter,
            max_record_bytes=self.max_record_bytes,
        )

    def fetch(self, cursor: Cursor | None) -> Batch:
        """The next ``batch_size`` records after ``cursor`` (from the first record when None)."""
        start = _parse_cursor(cursor) if cursor is not None else self._data_start
        if self.shape.format is FileFormat.CSV:
            found = self._csv_records(start, self.columns)
        else:
            found = iter_jsonl_records(self._stream, start=start, max_record_bytes=self.max_record_bytes)
        records: list[RawRecord] = []
        position = start
        for record, after in islice(found, self.batch_size):
            records.append(record)
            position = after
        is_last = len(records) < self.batch_size or position.offset >= self.size
        return Batch(records=records, cursor=_format_cursor(position), is_last=is_last)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> FileFetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def position_of(cursor: Cursor) -> Position:
    """Where in the file a cursor from ``FileFetcher.fetch`` points."""
    return _parse_cursor(cursor)


def _format_cursor(position: Position) -> Cursor:
    return Cursor(f"{position.offset}:{position.line}")


def _parse_cursor(cursor: Cursor) -> Position:
    try:
        offset, line = cursor.value.split(":")
        return Position(int(offset), int(line))
    except ValueError as exc:
        raise ValueError(f"not a file cursor: {cursor.value!r}") from exc
