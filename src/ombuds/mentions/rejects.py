"""The rejects file: every record an import could not use, where it was and why.

CSV with the header ``line,column,reason,record``: the line the record starts on in the
imported file, the file's column at fault (empty when the record as a whole is broken), the
reason naming the mention field, and the record itself, quoted, with its original bytes.
The file is created on the first reject only.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ombuds.clock import utcnow

HEADER = b"line,column,reason,record\n"
SUFFIX = ".rejects.csv"


def default_rejects_path(folder: Path, imported: Path) -> Path:
    """The path in ``folder`` named after the imported file and the time of the import; a
    ``RejectsFile(..., numbered=True)`` numbers it on if another import took it first."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{imported.stem}-{stamp}{SUFFIX}"


def _quoted(value: bytes) -> bytes:
    return b'"' + value.replace(b'"', b'""') + b'"'


def _check_place(path: Path) -> None:
    """Refuse, before anything is read, a path the file could never be created at: the import
    would otherwise stop at its first reject, in the middle of the file."""
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(f"--rejects: {folder} is not a folder, so {path} cannot be created")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"--rejects: {folder} is not writable, so {path} cannot be created")


class RejectsFile:
    """Appends rejects to ``path``, creating it (and its folder) on the first one.

    A file that exists is never written over: created exclusively, so two imports started in the
    same second cannot share one. ``numbered`` takes the next free name ("…-2.rejects.csv");
    otherwise an existing file is an error, raised before anything is read.
    """

    def __init__(self, path: Path, *, numbered: bool = False) -> None:
        if not numbered and path.exists():
            raise FileExistsError(
                f"--rejects: {path} exists already; give a new path, it is never written over"
            )
        _check_place(path)
        self.path = path
        self.numbered = numbered
        self.count = 0
        self._stream: BinaryIO | None = None

    def _create(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        first, stem = self.path, self.path.name.removesuffix(SUFFIX)
        for counter in itertools.count(2):
            try:
                return self.path.open("xb")
            except FileExistsError:
                if not self.numbered:
                    raise
                self.path = first.with_name(f"{stem}-{counter}{SUFFIX}")
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def written_path(self) -> Path | None:
        """The file's path once something was rejected, else ``None``."""
        return self.path if self._stream is not None else None

    def add(self, *, line: int, column: str | None, reason: str, record: bytes) -> None:
        if self._stream is None:
            self._stream = self._create()
            self._stream.write(HEADER)
        row = b",".join(
            (
                str(line).encode(),
                _quoted((column or "").encode("utf-8", errors="surrogateescape")),
                _quoted(reason.encode("utf-8", errors="backslashreplace")),
                _quoted(record),
            )
        )
        self._stream.write(row + b"\n")
        self.count += 1

    def flush(self) -> None:
        if self._stream is not None:
            self._stream.flush()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
