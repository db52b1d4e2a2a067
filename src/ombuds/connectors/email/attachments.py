"""Attachments kept as files beside the data, never in the database.

A file's place is named by its content's SHA-256 (``<dir>/ab/abcdef…/invoice.pdf``), so fetching
a message again after a crash writes nothing new, and the same file sent twice is kept once.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ombuds.connectors.email.message import Attachment


def keep_attachments(attachments: Sequence[Attachment], root: Path) -> list[dict[str, object]]:
    """Write each attachment under ``root`` (once); what a record says about each: name, type, size, path."""
    kept: list[dict[str, object]] = []
    for attachment in attachments:
        digest = attachment.sha256
        path = root / digest[:2] / digest / attachment.filename
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # customers' files: private
            _write_whole(path, attachment.content)
        kept.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": len(attachment.content),
                "sha256": digest,
                "path": str(path),
            }
        )
    return kept


def _write_whole(path: Path, content: bytes) -> None:
    """A reader sees the whole file or none: written beside it (owner-only, as mkstemp makes it), then renamed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
