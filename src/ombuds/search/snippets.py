"""Snippets of matching text with the searched words marked. Pure: no database, no web.

A snippet is plain text plus the spans to highlight, worked out on text that is already masked
(personal data replaced), so a mark can never reveal or split a masked value. Pages print the
pieces through the template engine's escaping, wrapping only the marked ones in ``<mark>``; no
piece of customer text is ever trusted as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Characters of context a snippet keeps around the first match.
SNIPPET_CHARS = 160
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    is_hit: bool


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    # each term is matched at a word start, so "bag" marks "bag" and "bags", not "airbag";
    # re.escape keeps any character a term holds literal
    alternatives = sorted({re.escape(t) for t in terms if t}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")\w*", re.IGNORECASE)


def excerpt(text: str, terms: Sequence[str], *, width: int = SNIPPET_CHARS) -> str:
    """The part of ``text`` around the first match (the start when nothing matches), one line."""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    pattern = _pattern(terms)
    found = pattern.search(line) if pattern else None
    start = max(0, (found.start() if found else 0) - width // 4)
    if start:  # begin at a word
        space = line.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(line), start + width)
    if end < len(line):
        space = line.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return (ELLIPSIS if start else "") + line[start:end] + (ELLIPSIS if end < len(line) else "")


def highlights(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where the searched words are in ``text``: (start, end) offsets, in order, not overlapping."""
    pattern = _pattern(terms)
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def pieces(text: str, spans: Sequence[tuple[int, int]]) -> list[Piece]:
    """``text`` cut at ``spans``: the pieces a page prints, the marked ones inside ``<mark>``."""
    out: list[Piece] = []
    at = 0
    for start, end in spans:
        if not 0 <= at <= start < end <= len(text):
            continue  # a span that does not fit this text marks nothing rather than cutting wrong
        if start > at:
            out.append(Piece(text[at:start], False))
        out.append(Piece(text[start:end], True))
        at = end
    if at < len(text):
        out.append(Piece(text[at:], False))
    return out
