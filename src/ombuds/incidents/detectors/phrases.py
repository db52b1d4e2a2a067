"""Which phrases are new: a decaying background of phrase counts and a window of recent ones.

The background is a count-min sketch (fixed size, whatever the vocabulary) whose counts halve
every ``half_life_days``. It lags the stream by up to two hours, so a burst does not make its
own phrases look ordinary while it is still being judged.
"""

from __future__ import annotations

import base64
import math
import zlib
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

DEPTH = 4
WIDTH_BITS = 15
_MULTIPLIERS = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F], dtype=np.uint64)
_OFFSETS = np.array([0x165667B1, 0xD3A2646C, 0xFD7046C5, 0xB55A4F09], dtype=np.uint64)


def _cells(keys: NDArray[np.uint64]) -> NDArray[np.int64]:
    mixed = (keys[None, :] * _MULTIPLIERS[:, None] + _OFFSETS[:, None]) & np.uint64(0xFFFFFFFF)
    return (mixed >> np.uint64(32 - WIDTH_BITS)).astype(np.int64)


class PhraseBackground:
    """How often each phrase appeared per message in the past weeks, decayed."""

    def __init__(self, *, half_life_days: float) -> None:
        self.half_life_hours = half_life_days * 24
        self.table = np.zeros((DEPTH, 1 << WIDTH_BITS), dtype=np.float32)
        self.messages = 0.0  # decayed count of messages merged into the table
        self.seen = 0  # messages merged, not decayed: how much history backs the rates
        self.hour: int | None = None  # the hour ``current`` collects
        self.current: Counter[int] = Counter()
        self.current_messages = 0
        self.previous: Counter[int] = Counter()
        self.previous_messages = 0

    def add(self, hour: int, keys: Iterable[int]) -> None:
        """Count one message's phrases (each once) in its hour."""
        self.roll(hour)
        self.current.update(keys)
        self.current_messages += 1

    def roll(self, hour: int) -> None:
        if self.hour is None:
            self.hour = hour
        if hour <= self.hour:
            return
        steps = hour - self.hour
        # the previous hour goes into the table; the current one becomes previous
        self._merge(self.previous, self.previous_messages, elapsed=steps)
        if steps == 1:
            self.previous, self.previous_messages = self.current, self.current_messages
        else:
            self._merge(self.current, self.current_messages, elapsed=0)
            self.previous, self.previous_messages = Counter(), 0
        self.current, self.current_messages = Counter(), 0
        self.hour = hour

    def _merge(self, counts: Counter[int], messages: int, *, elapsed: int) -> None:
        if elapsed:
            decay = math.pow(0.5, elapsed / self.half_life_hours)
            self.table *= np.float32(decay)
            self.messages *= decay
        if counts:
            keys = np.fromiter(counts.keys(), dtype=np.uint64, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            cells = _cells(keys)
            for row in range(DEPTH):
                np.add.at(self.table[row], cells[row], values)
        self.messages += messages
        self.seen += messages

    def count(self, key: int) -> float:
        """Decayed number of past messages with this phrase (an over-estimate, never under)."""
        cells = _cells(np.array([key], dtype=np.uint64))[:, 0]
        return float(min(self.table[row, cells[row]] for row in range(DEPTH)))

    def rate(self, key: int) -> float:
        """Share of past messages with this phrase, pulled up for thin history."""
        return (self.count(key) + 0.5) / (self.messages + 20.0)

    def rates(self, keys: list[int]) -> list[float]:
        """``rate`` of many phrases at once (for representative texts)."""
        if not keys:
            return []
        cells = _cells(np.array(keys, dtype=np.uint64))
        counts = np.min(np.stack([self.table[row, cells[row]] for row in range(DEPTH)]), axis=0)
        values = (counts.astype(np.float64) + 0.5) / (self.messages + 20.0)
        return [float(v) for v in values]

    def to_state(self) -> dict[str, Any]:
        return {
            "table": base64.b64encode(self.table.tobytes()).decode("ascii"),
            "messages": self.messages,
            "seen": self.seen,
            "hour": self.hour,
            "current": [[k, v] for k, v in self.current.items()],
            "current_messages": self.current_messages,
            "previous": [[k, v] for k, v in self.previous.items()],
            "previous_messages": self.previous_messages,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], *, half_life_days: float) -> PhraseBackground:
        background = cls(half_life_days=half_life_days)
        table = np.frombuffer(base64.b64decode(state["table"]), dtype=np.float32)
        background.table = table.reshape(DEPTH, 1 << WIDTH_BITS).copy()
        background.messages = float(state["messages"])
        background.seen = int(state.get("seen", background.messages))
        background.hour = state["hour"]
        background.current = Counter({int(k): int(v) for k, v in state["current"]})
        background.current_messages = int(state["current_messages"])
        background.previous = Counter({int(k): int(v) for k, v in state["previous"]})
        background.previous_messages = int(state["previous_messages"])
        return background


@dataclass(frozen=True, slots=True)
class PhraseEntry:
    at: float
    mention_id: int
    voice: str  # who wrote it (``Observation.voice``)
    keys: tuple[int, ...]


class PhraseWindow:
    """Recent messages' phrases, with how many distinct authors used each phrase.

    Counts live in flat dicts keyed by integers (phrase and author hashes folded into one), so
    adding a message costs a few dict operations per phrase.
    """

    def __init__(self, span: float) -> None:
        self.span = span
        self.entries: deque[PhraseEntry] = deque()
        self.uses: dict[int, int] = {}  # (phrase, author) -> messages
        self.voices_by_phrase: dict[int, int] = {}  # phrase -> distinct authors
        self.authors: dict[str, int] = {}

    def add(self, entry: PhraseEntry) -> None:
        self.expire(entry.at)
        self.entries.append(entry)
        self.authors[entry.voice] = self.authors.get(entry.voice, 0) + 1
        author = zlib.crc32(entry.voice.encode("utf-8")) << 32
        uses, voices = self.uses, self.voices_by_phrase
        for key in entry.keys:
            pair = author | key
            count = uses.get(pair, 0)
            if count == 0:
                voices[key] = voices.get(key, 0) + 1
            uses[pair] = count + 1

    def expire(self, now: float) -> None:
        horizon = now - self.span
        uses, voices = self.uses, self.voices_by_phrase
        while self.entries and self.entries[0].at <= horizon:
            old = self.entries.popleft()
            remaining = self.authors[old.voice] - 1
            if remaining:
                self.authors[old.voice] = remaining
            else:
                del self.authors[old.voice]
            author = zlib.crc32(old.voice.encode("utf-8")) << 32
            for key in old.keys:
                pair = author | key
                count = uses[pair] - 1
                if count:
                    uses[pair] = count
                    continue
                del uses[pair]
                left = voices[key] - 1
                if left:
                    voices[key] = left
                else:
                    del voices[key]

    def voices(self, key: int) -> int:
        return self.voices_by_phrase.get(key, 0)

    @property
    def total_voices(self) -> int:
        return len(self.authors)

    def members(self, keys: Iterable[int]) -> list[int]:
        """Mention ids in the window that contain any of these phrases."""
        wanted = set(keys)
        return [e.mention_id for e in self.entries if wanted.intersection(e.keys)]

    def to_state(self) -> list[list[Any]]:
        return [[e.at, e.mention_id, e.voice, list(e.keys)] for e in self.entries]

    @classmethod
    def from_state(cls, span: float, rows: list[list[Any]]) -> PhraseWindow:
        window = cls(span)
        for at, mention_id, author, keys in rows:
            window.add(PhraseEntry(float(at), int(mention_id), str(author), tuple(int(k) for k in keys)))
        return window
