"""Slugs: the short lower-case names used in commands, links and YAML ids."""

from __future__ import annotations

import re
import unicodedata


def slugify(name: str, *, fallback: str = "item", length: int = 60) -> str:
    """``"US Airways"`` → ``"us-airways"``; accents dropped, anything else becomes one dash."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:length].rstrip("-") or fallback
