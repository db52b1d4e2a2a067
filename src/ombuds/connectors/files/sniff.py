"""Decide whether a file is CSV or JSON Lines before anything is imported.

A file that is neither (an image, an archive, a spreadsheet, a web page, a JSON array) gets
one clear error naming what it looks like, so nothing is half-imported from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ombuds.errors import InvalidInput

SNIFF_BYTES = 64 * 1024

# Leading bytes of common non-text formats, with the words a person would recognise.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one too; export it as CSV)"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"BZh", "a bzip2 archive (decompress it first)"),
    (b"\xfd7zXZ\x00", "an xz archive (decompress it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (export it as CSV)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program (ELF binary)"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
)

_UTF8_BOM = b"\xef\xbb\xbf"


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class UnreadableFile(InvalidInput):
    """The whole file cannot be imported; nothing from it was stored."""


@dataclass(frozen=True, slots=True)
class FileShape:
    """How to read a file: its format and, for CSV, the field delimiter."""

    format: FileFormat
    delimiter: str = ","


def sniff_file(path: Path) -> FileShape:
    """The shape of ``path``, or ``UnreadableFile`` saying why it is not CSV or JSON Lines."""
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if not path.is_file():
        raise UnreadableFile(f"{path}: not a regular file")
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    return sniff_bytes(head, name=path.name, is_complete=len(head) < SNIFF_BYTES)


def sniff_bytes(head: bytes, *, name: str, is_complete: bool = True) -> FileShape:
    """The shape of a file whose first bytes are ``head`` (all of it when ``is_complete``)."""
    if not head.strip():
        raise UnreadableFile(f"{name}: the file is empty")
    for signature, looks_like in _SIGNATURES:
        if head.startswith(signature):
            raise UnreadableFile(f"{name}: not CSV or JSON Lines; it looks like {looks_like}")
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        raise UnreadableFile(f"{name}: not CSV or JSON Lines; it looks like a WebP image")
    nul = head.find(b"\x00")
    if nul >= 0 and head.count(b"\x00") * 4 > len(head):  # a NUL every other byte or so
        raise UnreadableFile(
            f"{name}: not CSV or JSON Lines; it looks like UTF-16 text without its byte-order mark "
            "(save it as UTF-8)"
        )
    first_break = head.find(b"\n")
    if 0 <= nul < (first_break if first_break >= 0 else len(head)):
        # in the first line (the header), or a file of one line: nothing to read it by. A stray NUL
        # further on is one record's fault, refused with its line like any other bad value.
        raise UnreadableFile(f"{name}: not CSV or JSON Lines; binary data (a NUL byte at byte {nul + 1})")
    text = _decode_head(head, name=name, is_complete=is_complete)
    stripped = text.lstrip()
    lowered = stripped[:1024].lower()
    if lowered.startswith("<"):
        what = "an HTML page" if "<html" in lowered or "<!doctype html" in lowered else "XML or HTML markup"
        raise UnreadableFile(f"{name}: not CSV or JSON Lines; it looks like {what}")
    if "\r" in text and "\n" not in text and len(text.splitlines()) > 1:
        raise UnreadableFile(
            f"{name}: lines end with a bare carriage return (CR); save it with LF line endings"
        )
    first_line = stripped.split("\n", 1)[0].strip()
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if stripped.startswith("["):
        raise UnreadableFile(
            f"{name}: a JSON array, not JSON Lines; write one object per line (e.g. jq -c '.[]')"
        )
    if suffix in {"jsonl", "ndjson"} or _is_json_object(first_line):
        return FileShape(FileFormat.JSONL)
    if stripped.startswith("{"):
        raise UnreadableFile(
            f"{name}: a JSON document spread over several lines, not JSON Lines (one object per line)"
        )
    if suffix == "json":
        raise UnreadableFile(f"{name}: the first line is not a JSON object, so this is not JSON Lines")
    return FileShape(FileFormat.CSV, delimiter="\t" if suffix == "tsv" else _delimiter(first_line))


def _decode_head(head: bytes, *, name: str, is_complete: bool) -> str:
    body = head.removeprefix(_UTF8_BOM)
    if not is_complete:
        # The sniffed window may end inside a multi-byte character; drop the last, partial line.
        cut = body.rfind(b"\n")
        body = body[: cut + 1] if cut > 0 else body
    lines = [line for line in body.split(b"\n") if line.strip()]
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    if lines and bad * 2 > len(lines):
        raise UnreadableFile(
            f"{name}: not UTF-8 text ({bad} of the first {len(lines)} lines are not UTF-8); "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        )
    text = body.decode("utf-8", errors="replace")
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n\f")
    if controls > max(8, len(text) // 100):
        raise UnreadableFile(f"{name}: not CSV or JSON Lines; binary data ({controls} control characters)")
    return text


def _is_json_object(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _delimiter(header: str) -> str:
    """Comma unless the header clearly uses another common separator (and no comma)."""
    if "," in header:
        return ","
    counts = {delimiter: header.count(delimiter) for delimiter in ("\t", ";", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","
