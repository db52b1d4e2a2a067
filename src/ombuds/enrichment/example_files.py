"""Reading a CSV file of labelled examples for ``ombuds train``: which column teaches which analyzer.

The file is checked whole before anything is stored: a training set with a broken row is fixed and
given again, so every error names its line (and column) and nothing of the file is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from ombuds.enrichment.learnable import LEARNABLE, check_label
from ombuds.enrichment.training import DataError
from ombuds.errors import InvalidInput
from ombuds.mentions.schemas import MAX_TEXT_CHARS

#: Past this a file is no training set but something else given by mistake.
MAX_FILE_BYTES = 512 * 1024 * 1024


def read_example_columns(
    path: Path, *, text_col: str, label_cols: Sequence[str] | None, analyzer: str | None
) -> dict[str, list[tuple[str, str]]]:
    """Analyzer → (text, label) rows from a CSV file; every label checked, errors name the line."""
    reader = csv.DictReader(_rows_of(path))
    try:
        header = [column.strip() for column in reader.fieldnames or []]
    except csv.Error as exc:
        raise DataError(f"{path}, line {reader.line_num}: {exc}") from exc
    if not header:
        raise DataError(f"{path}: the file is empty (no header row)")
    reader.fieldnames = header
    mapping = _label_columns(path, header, text_col, label_cols, analyzer)
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in mapping.values()}
    try:
        for row in reader:
            _take(found, row, mapping, text_col, where=f"{path}, line {reader.line_num}")
    except csv.Error as exc:  # the broken record began after the last one read
        raise DataError(f"{path}, line {reader.line_num + 1}: {exc}") from exc
    if not any(found.values()):
        raise DataError(f"{path}: no rows with a label in {', '.join(map(repr, mapping))}")
    return found


def _take(
    found: dict[str, list[tuple[str, str]]],
    row: dict[str, str],
    mapping: dict[str, str],
    text_col: str,
    *,
    where: str,
) -> None:
    """One row's (text, label) pairs into ``found``, each label checked; errors say ``where``."""
    text = (row.get(text_col) or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise DataError(
            f"{where}, column {text_col!r}: at most {MAX_TEXT_CHARS:,} characters (got {len(text):,})"
        )
    for column, name in mapping.items():
        label = (row.get(column) or "").strip()
        if not label:
            continue
        if not text:
            raise DataError(f"{where}: {column!r} is set but {text_col!r} is empty")
        try:
            found[name].append((text, check_label(name, label)))
        except InvalidInput as exc:
            raise DataError(f"{where}, column {column!r}: {exc}") from exc


def _rows_of(path: Path) -> Iterator[str]:
    """The file's lines as text: UTF-8 (a byte-order mark dropped), line breaks kept for the CSV
    reader; a byte that is not UTF-8 is refused with its line."""
    if not path.is_file():
        raise DataError(f"{path}: no such file" + (" (it is a folder)" if path.is_dir() else ""))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB; is it a training set?")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{path}, line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"{path}, line {line}: a NUL character, which cannot be stored")
    # No field can be longer than the file: the text's own limit is checked with its line above.
    if csv.field_size_limit() < MAX_FILE_BYTES:
        csv.field_size_limit(MAX_FILE_BYTES)
    return iter(io.StringIO(text, newline=""))


def _label_columns(
    path: Path, header: Sequence[str], text_col: str, label_cols: Sequence[str] | None, analyzer: str | None
) -> dict[str, str]:
    """Label column → the analyzer it teaches, from the options or, by default, the header."""
    if text_col not in header:
        raise DataError(f"{path}: no column {text_col!r} (columns: {', '.join(header)})")
    if analyzer is not None:
        if analyzer not in LEARNABLE:
            raise DataError(f"--analyzer must be one of {', '.join(LEARNABLE)}, not {analyzer!r}")
        columns = list(label_cols or ["label"])
        if len(columns) != 1:
            raise DataError("--analyzer takes exactly one --label-col")
        mapping = {columns[0]: analyzer}
    elif label_cols:
        mapping = {}
        for column in label_cols:
            if column not in LEARNABLE:
                raise DataError(
                    f"column {column!r} is not an analyzer name: add --analyzer to say what it teaches"
                )
            mapping[column] = column
    else:
        mapping = {column: column for column in header if column in LEARNABLE}
        if not mapping:
            raise DataError(
                f"{path}: no label column: name one {', '.join(LEARNABLE)}, or pass --label-col and --analyzer"
            )
    for column in mapping:
        if column not in header:
            raise DataError(f"{path}: no column {column!r} (columns: {', '.join(header)})")
    return mapping
