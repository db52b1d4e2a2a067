"""Sliding windows over recent mentions that count distinct authors, not messages.

One angry customer writing ten times is one voice; a storm is many people. Counting distinct
authors keeps a single conversation from looking like a burst.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Entry:
    at: float  # seconds since the epoch
    mention_id: int
    voice: str  # who wrote it (``Observation.voice``)
    is_negative: bool


class SlidingWindow:
    """Mentions of the last ``span`` seconds with per-author counts."""

    __slots__ = ("authors", "entries", "negative_authors", "span")

    def __init__(self, span: float) -> None:
        self.span = span
        self.entries: deque[Entry] = deque()
        # plain dicts: a brand's every mention passes a dozen windows, and Counter's missing-key
        # hook is a Python call per new author
        self.authors: dict[str, int] = {}
        self.negative_authors: dict[str, int] = {}

    def add(self, entry: Entry) -> None:
        self.expire(entry.at)
        self.entries.append(entry)
        author, authors = entry.voice, self.authors
        authors[author] = authors.get(author, 0) + 1
        if entry.is_negative:
            negative = self.negative_authors
            negative[author] = negative.get(author, 0) + 1

    def expire(self, now: float) -> None:
        horizon = now - self.span
        entries = self.entries
        while entries and entries[0].at <= horizon:
            old = entries.popleft()
            _decrement(self.authors, old.voice)
            if old.is_negative:
                _decrement(self.negative_authors, old.voice)

    @property
    def voices(self) -> int:
        """Distinct authors in the window."""
        return len(self.authors)

    @property
    def negative_voices(self) -> int:
        return len(self.negative_authors)

    def mention_ids(self) -> list[int]:
        return [entry.mention_id for entry in self.entries]

    def to_state(self) -> list[list[Any]]:
        return [[e.at, e.mention_id, e.voice, int(e.is_negative)] for e in self.entries]

    @classmethod
    def from_state(cls, span: float, rows: list[list[Any]]) -> SlidingWindow:
        window = cls(span)
        for at, mention_id, author, negative in rows:
            window.add(Entry(float(at), int(mention_id), str(author), bool(negative)))
        return window


def _decrement(counter: dict[str, int], key: str) -> None:
    remaining = counter[key] - 1
    if remaining > 0:
        counter[key] = remaining
    else:
        del counter[key]
