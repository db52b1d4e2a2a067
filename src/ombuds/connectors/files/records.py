"""Read CSV and JSON Lines files record by record, keeping each record's exact bytes.

The CSV reader lets Python's csv module decide where a record ends (quoted fields may span
lines) while it watches which physical lines the module consumed: those lines are the record's
bytes. A record that cannot be read becomes a record with a problem, never an exception, and
reading resumes right after it, so one bad row never hides the rows behind it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from ombuds.connectors.base import RawRecord, RecordProblem

DEFAULT_MAX_RECORD_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a file: the byte offset of a line and that line's number (1-based)."""

    offset: int
    line: int


class _RecordTooLong(Exception):
    pass


class _Lines:
    """Physical lines from a position; remembers the ones taken since the last ``start_record``."""

    def __init__(self, stream: BinaryIO, start: Position, max_record_bytes: int) -> None:
        stream.seek(start.offset)
        self._stream = stream
        self._max = max_record_bytes
        self.offset = start.offset
        self.line = start.line
        self.taken: list[bytes] = []
        self._taken_bytes = 0

    def start_record(self) -> None:
        self.taken = []
        self._taken_bytes = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._stream.readline(self._max + 1)
        if not line:
            raise StopIteration
        self.taken.append(line)
        self._taken_bytes += len(line)
        self.offset += len(line)
        if line.endswith(b"\n"):
            self.line += 1
        if self._taken_bytes > self._max:
            raise _RecordTooLong
        return line.decode("utf-8", errors="surrogateescape")

    def skip_rest_of_line(self) -> None:
        """After an over-long line, move to the start of the next one."""
        last = self.taken[-1] if self.taken else b"\n"
        while not last.endswith(b"\n"):
            last = self._stream.readline(self._max + 1)
            if not last:
                return
            self.offset += len(last)
        if not (self.taken and self.taken[-1].endswith(b"\n")):
            self.line += 1


def _without_line_break(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    if raw.endswith(b"\n"):
        return raw[:-1]
    return raw


def _first_line_position(start: Position, first_line: bytes) -> Position:
    return Position(start.offset + len(first_line), start.line + 1)


def iter_csv_records(
    stream: BinaryIO,
    *,
    start: Position,
    columns: Sequence[str] | None,
    delimiter: str = ",",
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[tuple[RawRecord, Position]]:
    """Each CSV record from ``start`` with the position after it; blank lines are skipped.

    With ``columns=None`` the fields are keyed by their index, which is how the header is read.
    """
    if csv.field_size_limit() < max_record_bytes:
        csv.field_size_limit(max_record_bytes)
    position = start
    while True:
        lines = _Lines(stream, position, max_record_bytes)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        while True:
            record_start = Position(lines.offset, lines.line)
            lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                return
            except _RecordTooLong:
                first = lines.taken[0]
                if len(lines.taken) == 1:
                    lines.skip_rest_of_line()
                    position = Position(lines.offset, lines.line)
                    reason = f"record longer than {max_record_bytes} bytes"
                else:
                    position = _first_line_position(record_start, first)
                    reason = (
                        f"record longer than {max_record_bytes} bytes; "
                        'probably a quote (") that is never closed'
                    )
                yield _problem(record_start, first[:4096], reason), position
                break
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    # An unclosed quote swallowed the rest of the file: reject its first line only
                    # and read on from the next one.
                    first = lines.taken[0]
                    position = _first_line_position(record_start, first)
                    reason = 'a quote (") is opened and never closed'
                    yield _problem(record_start, first, reason), position
                else:
                    position = Position(lines.offset, lines.line)
                    reason = f"malformed CSV: {exc}"
                    yield _problem(record_start, b"".join(lines.taken), reason), position
                break
            if not row or (len(row) == 1 and not row[0].strip() and len(lines.taken) == 1):
                continue  # a blank line is no record
            raw = _without_line_break(b"".join(lines.taken))
            yield _csv_record(record_start, raw, row, columns), Position(lines.offset, lines.line)


def _problem(start: Position, raw: bytes, reason: str, field: str | None = None) -> RawRecord:
    return RawRecord(
        position=start.line,
        raw=_without_line_break(raw),
        raw_format="csv",
        fields=None,
        problem=RecordProblem(reason=reason, field=field),
    )


def _csv_record(start: Position, raw: bytes, row: list[str], columns: Sequence[str] | None) -> RawRecord:
    names: Sequence[str] = columns if columns is not None else [str(index) for index in range(len(row))]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        at = next((index for index, value in enumerate(row) if not _is_utf8(value)), None)
        bad = names[at] if columns is not None and at is not None and at < len(names) else None
        if at is None:
            where = "the record"
        elif bad is not None:
            where = f"column {bad!r}"
        else:  # the header itself, whose columns have no names yet, or a field past them
            where = f"field {at + 1}"
        return _problem(start, raw, f"invalid UTF-8 bytes in {where}", field=bad)
    if columns is not None and len(row) != len(columns):
        reason = f"{len(row)} fields where the header has {len(columns)}"
        return _problem(start, raw, reason)
    return RawRecord(
        position=start.line, raw=raw, raw_format="csv", fields=dict(zip(names, row, strict=True))
    )


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def iter_jsonl_records(
    stream: BinaryIO,
    *,
    start: Position,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> Iterator[tuple[RawRecord, Position]]:
    """Each JSON Lines record from ``start`` with the position after it; blank lines are skipped."""
    lines = _Lines(stream, start, max_record_bytes)
    while True:
        record_start = Position(lines.offset, lines.line)
        lines.start_record()
        try:
            next(lines)
        except StopIteration:
            return
        except _RecordTooLong:
            lines.skip_rest_of_line()
            raw = lines.taken[0][:4096]
            reason = f"line longer than {max_record_bytes} bytes"
            yield _jsonl_problem(record_start, raw, reason), Position(lines.offset, lines.line)
            continue
        after = Position(lines.offset, lines.line)
        raw = _without_line_break(lines.taken[0])
        if record_start.offset == 0:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        yield _jsonl_record(record_start, raw), after


def _jsonl_record(start: Position, raw: bytes) -> RawRecord:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _jsonl_problem(start, raw, f"invalid UTF-8 at byte {exc.start + 1} of the line")
    try:
        value = json.loads(raw, parse_int=_json_int)
    except RecursionError:
        return _jsonl_problem(start, raw, "invalid JSON: nested too deeply")
    except _NumberTooLong as exc:
        found = raw.decode("utf-8").find(exc.digits)
        at = f" at column {found + 1}" if found >= 0 else ""
        reason = f"invalid JSON: a number is too long ({len(exc.digits.lstrip('-')):,} digits){at}"
        return _jsonl_problem(start, raw, reason)
    except ValueError as exc:
        message = getattr(exc, "msg", str(exc))
        column = getattr(exc, "colno", None)
        where = f" at column {column}" if column is not None else ""
        return _jsonl_problem(start, raw, f"invalid JSON: {message}{where}")
    if not isinstance(value, dict):
        return _jsonl_problem(start, raw, f"a JSON object expected, found {type(value).__name__}")
    return RawRecord(position=start.line, raw=raw, raw_format="jsonl", fields=value)


class _NumberTooLong(Exception):
    def __init__(self, digits: str) -> None:
        super().__init__(digits[:40])
        self.digits = digits


def _json_int(digits: str) -> int:
    """A JSON integer; one longer than Python converts is refused in words, not with its advice
    to call ``sys.set_int_max_str_digits()``, which means nothing to a person importing a file."""
    limit = sys.get_int_max_str_digits()
    if limit and len(digits.lstrip("-")) > limit:
        raise _NumberTooLong(digits)
    return int(digits)


def _jsonl_problem(start: Position, raw: bytes, reason: str) -> RawRecord:
    return RawRecord(
        position=start.line,
        raw=raw,
        raw_format="jsonl",
        fields=None,
        problem=RecordProblem(reason=reason),
    )
