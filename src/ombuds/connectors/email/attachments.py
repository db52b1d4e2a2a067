"""Attachments kept as files beside the data, never in the database.

A file's place is named by its content's SHA-256 (``<dir>/ab/abcdef…/invoice.pdf``), so fetching
a message again after a crash writes nothing new, and the same file sent twice is kept once. The
stored message names each file in its attachment's place (``message.without_attachments``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ombuds.connectors.email.message import Attachment


def attachment_path(attachment: Attachment, root: Path) -> Path:
    digest = attachment.sha256
    return root / digest[:2] / digest / attachment.filename


def keep_attachments(attachments: Sequence[Attachment], root: Path) -> list[Path]:
    """Write each attachment under ``root`` unless it is there already; where each one is."""
    kept: list[Path] = []
    for attachment in attachments:
        path = attachment_path(attachment, root)
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # customers' files: private
            _write_whole(path, attachment.content)
        kept.append(path)
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
