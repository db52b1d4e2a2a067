"""People who say the same thing in other words: links by meaning for the agreement test.

Rare stems link "my offline playlists got wiped" to "offline mode lost every playlist", not to
"lost all downloaded songs": the same problem, no shared word. Sentence vectors (unit length,
from a reader the caller gives: the detectors stay free of any model) link those too. Two
messages about a brand are always somewhat alike, and short generic ones ("please help") very
much so, so a fixed similarity links chance pairs. A link asks instead that two people be closer
to each other than to almost everything the stream said before (all but its
``agree_meaning_rank`` - 1 closest messages) and at least ``agree_meaning_floor`` alike: the
rare-stem test's idea, rare in the stream, in the space of meanings.

Measured on samples of the development streams (docs/early-warning.md): 0.36-0.45 % of chance
pairs link this way (the rare-stem links: 3.2 % of complaint pairs), three quarters or more of
the pairs of a burst's wordings.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ombuds.incidents.detectors.settings import DetectorSettings

if TYPE_CHECKING:
    from ombuds.incidents.detectors.storms import StormMessage

Vectors = npt.NDArray[np.float32]
#: Texts in, one unit-length row per text out.
ReadMeaning = Callable[[Sequence[str]], Vectors]

VECTORS_KEPT = 8192  # mentions whose vectors are remembered


class MeaningLinks:
    """Vectors read once per mention, and the author pairs of a window that mean the same."""

    def __init__(self, read: ReadMeaning) -> None:
        self.read = read
        self._vectors: dict[int, Vectors] = {}

    def pairs(
        self,
        written: dict[str, list[int]],
        background: Iterable[StormMessage],
        recent: dict[int, StormMessage],
        settings: DetectorSettings,
    ) -> list[tuple[str, str]]:
        """The pairs of authors (each with the mention ids they wrote in the window) whose
        messages mean the same, judged against a sample of the ``background`` messages (those
        the stream received before the window)."""
        # A sample of the day that changes little from one check to the next (the messages whose
        # ids hash lowest): the last few hundred change with every message, and reading them
        # read most of a stream over time; this way a brand of thousands a day has a few
        # hundred of its day read, and one of a few hundred, as before, all of it.
        behind = heapq.nsmallest(settings.agree_meaning_background, background, key=_spread)
        if len(behind) < settings.agree_meaning_min_background or len(written) < 2:
            return []
        self._read(
            [*(m for ids in written.values() for m in (recent.get(i) for i in ids) if m is not None), *behind]
        )
        authors = [a for a, ids in written.items() if any(i in self._vectors for i in ids)]
        if len(authors) < 2:
            return []
        mine = np.stack(
            [
                _unit(np.mean([self._vectors[i] for i in written[a] if i in self._vectors], axis=0))
                for a in authors
            ]
        )
        theirs = np.stack([self._vectors[m.mention_id] for m in behind])
        # each author's ``rank``-th closest message of the background: what it takes to be rare
        rank = min(settings.agree_meaning_rank, len(behind))
        usual = -np.partition(-(mine @ theirs.T), rank - 1, axis=1)[:, rank - 1]
        needed = np.maximum(np.maximum.outer(usual, usual), settings.agree_meaning_floor)
        close = np.triu((mine @ mine.T) >= needed, k=1)
        return [(authors[i], authors[j]) for i, j in zip(*np.nonzero(close), strict=True)]

    def _read(self, messages: Sequence[StormMessage]) -> None:
        new = [m for m in messages if m.mention_id not in self._vectors]
        if not new:
            return
        if len(self._vectors) + len(new) > VECTORS_KEPT:
            wanted = {m.mention_id for m in messages}  # the rest is read again as needed
            self._vectors = {i: v for i, v in self._vectors.items() if i in wanted}
        for message, vector in zip(new, self.read([m.text for m in new]), strict=True):
            self._vectors[message.mention_id] = vector


def _spread(message: StormMessage) -> int:
    """A fixed, well spread order of mentions (Fibonacci hashing of the id)."""
    return (message.mention_id * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


def _unit(vector: npt.NDArray[np.floating]) -> Vectors:
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).astype(np.float32)
