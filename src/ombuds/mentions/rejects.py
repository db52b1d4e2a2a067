"""The rejects file: every record an import could not use, where it was and why.

CSV with the header ``line,column,reason,record``: the line the record starts on in the
imported file, the file's column at fault (empty when the record as a whole is broken), the
reason naming the mention field, and the record itself, quoted, with its original bytes.
The file is created on the first reject only.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ombuds.clock import utcnow

HEADER = b"line,column,reason,record\n"


def default_rejects_path(folder: Path, imported: Path) -> Path:
    """A fresh path in ``folder`` named after the imported file and the time of the import."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"{imported.stem}-{stamp}.rejects.csv"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{imported.stem}-{stamp}-{counter}.rejects.csv"
    return candidate


def _quoted(value: bytes) -> bytes:
    return b'"' + value.replace(b'"', b'""') + b'"'


class RejectsFile:
    """Appends rejects to ``path``, creating it (and its folder) on the first one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._stream: BinaryIO | None = None

    @property
    def written_path(self) -> Path | None:
        """The file's path once something was rejected, else ``None``."""
        return self.path if self._stream is not None else None

    def add(self, *, line: int, column: str | None, reason: str, record: bytes) -> None:
        if self._stream is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = self.path.open("wb")
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
