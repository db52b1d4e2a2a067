"""Reading a CSV file of labelled examples for ``ombuds train``: which column teaches which analyzer."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from ombuds.enrichment.learnable import LEARNABLE, check_label
from ombuds.enrichment.training import DataError
from ombuds.errors import InvalidInput


def read_example_columns(
    path: Path, *, text_col: str, label_cols: Sequence[str] | None, analyzer: str | None
) -> dict[str, list[tuple[str, str]]]:
    """Analyzer → (text, label) rows from a CSV file; every label checked, errors name the line."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if not header:
            raise DataError(f"{path}: the file is empty (no header row)")
        mapping = _label_columns(path, header, text_col, label_cols, analyzer)
        found: dict[str, list[tuple[str, str]]] = {name: [] for name in mapping.values()}
        for row in reader:
            text = (row.get(text_col) or "").strip()
            for column, name in mapping.items():
                label = (row.get(column) or "").strip()
                if not label:
                    continue
                if not text:
                    raise DataError(
                        f"{path}, line {reader.line_num}: {column!r} is set but {text_col!r} is empty"
                    )
                try:
                    found[name].append((text, check_label(name, label)))
                except InvalidInput as exc:
                    raise DataError(f"{path}, line {reader.line_num}, column {column!r}: {exc}") from exc
    if not any(found.values()):
        raise DataError(f"{path}: no rows with a label in {', '.join(map(repr, mapping))}")
    return found


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
