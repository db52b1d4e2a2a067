"""Sentence vectors of the installed MiniLM, untuned, for telling who says the same thing.

The early-warning detectors link people who describe one problem in different words by these
(``ombuds.incidents.detectors.meaning``). Handles and links are left out: every message to a brand
names it, and that alone made two unrelated messages look alike (median cosine 0.54 between
random SpotifyCares messages with them, 0.12 without).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

_NOISE = re.compile(r"@\w+|https?://\S+")
_lock = threading.Lock()
_deferred: ContextVar[bool] = ContextVar("meaning_load_deferred", default=False)


class MeaningNotLoaded(RuntimeError):
    """The model was needed where it may not load (``loading_deferred``): load it, then try again."""


def meaning_text(text: str) -> str:
    """What is compared of a message: its words, without handles and links."""
    return " ".join(_NOISE.sub(" ", text).split()) or "."


class MeaningReader:
    """Texts in, unit-length mean-pooled MiniLM vectors out."""

    def __init__(self, threads: int = 1) -> None:
        from ombuds.enrichment.accurate.tuning import Encoder, base_model_dir

        self._encoder = Encoder.load(base_model_dir(), max_tokens=64, threads=threads)

    def __call__(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self._encoder.transform([meaning_text(text) for text in texts]).copy()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)


@lru_cache(maxsize=1)
def meaning_reader() -> MeaningReader:
    """The process's reader, loaded once."""
    return MeaningReader()


def read_meaning(texts: Sequence[str]) -> Vectors:
    """``MeaningReader`` of the process, loaded on first use (a second or two, ~300 MB): a
    brand's detectors ask for it only when a handful of complaints might be one problem."""
    if _deferred.get() and not is_loaded():
        raise MeaningNotLoaded("the sentence model is not loaded yet")
    with _lock:  # loaded once, read by one thread at a time
        return meaning_reader()(texts)


def is_loaded() -> bool:
    return meaning_reader.cache_info().currsize > 0


def load_meaning() -> None:
    """Load the process's reader now, if it is not loaded yet."""
    with _lock:
        meaning_reader()


@contextmanager
def loading_deferred() -> Iterator[None]:
    """Within, ``read_meaning`` raises ``MeaningNotLoaded`` instead of loading the model.

    The pipeline's transactions run in it: a load takes seconds, and inside a transaction on
    SQLite it would hold the one write lock that every acceptance (an API call, a webhook) waits
    for. The runner undoes such a transaction, loads the model outside it and runs it again.
    """
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
