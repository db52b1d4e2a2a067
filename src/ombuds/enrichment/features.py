"""Text to sparse TF-IDF features: word 1–2-grams and character 2–5-grams within words.

Written here rather than borrowed from scikit-learn so that a trained model is only numbers and
strings in an ``.npz`` file (no pickle) and the same code turns text into features at training and
at run time. Pure: no I/O besides the explicit ``save``/``load``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from scipy import sparse

URL = re.compile(r"https?://\S+|www\.\S+")
HANDLE = re.compile(r"@\w+")
NUMBER = re.compile(r"\d+")
WORD = re.compile(r"[a-z0-9_']+|[!?]+|[^\sa-z0-9_'!?.,:;\"()\-]")

FloatArray = npt.NDArray[np.float32]


def normalize(text: str) -> str:
    """Lower-case, decode HTML entities and fold links, handles and digits into placeholders.

    Handles and numbers vary per brand and per message; what matters is that one is there.
    """
    text = html.unescape(text).lower()
    text = URL.sub(" httpurl ", text)
    text = HANDLE.sub(" @user ", text)
    return NUMBER.sub("0", text)


def word_terms(normalized: str) -> list[str]:
    """Word unigrams and bigrams (punctuation runs and emoji count as words)."""
    words = WORD.findall(normalized)
    terms = ["w:" + word for word in words]
    terms.extend(f"b:{first} {second}" for first, second in pairwise(words))
    return terms


def char_terms(normalized: str) -> list[str]:
    """Character 2–5-grams inside space-padded words: robust to typos, elongation and affixes."""
    terms: list[str] = []
    for token in normalized.split():
        padded = f" {token} "
        size = len(padded)
        for n in (2, 3, 4, 5):
            if n > size:
                break
            terms.extend(padded[i : i + n] for i in range(size - n + 1))
    return terms


@dataclass
class TermBlock:
    """One family of terms with its vocabulary and inverse document frequencies."""

    vocabulary: dict[str, int]
    idf: FloatArray

    @property
    def size(self) -> int:
        return len(self.vocabulary)


class TextFeaturizer:
    """Sublinear TF-IDF over word and character terms, each block L2-normalised, side by side."""

    def __init__(self, words: TermBlock, chars: TermBlock) -> None:
        self.words = words
        self.chars = chars

    @property
    def size(self) -> int:
        return self.words.size + self.chars.size

    @classmethod
    def fit(cls, texts: Sequence[str], *, min_df: int = 2, max_terms: int = 60_000) -> TextFeaturizer:
        """Learn vocabularies from texts: terms in at least ``min_df`` texts, the most common first."""
        normalized = [normalize(text) for text in texts]
        return cls(
            _fit_block((word_terms(text) for text in normalized), len(texts), min_df, max_terms),
            _fit_block((char_terms(text) for text in normalized), len(texts), min_df, max_terms),
        )

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One row per text; columns are word terms then character terms."""
        normalized = [normalize(text) for text in texts]
        words = _transform_block(self.words, (word_terms(text) for text in normalized), len(texts))
        chars = _transform_block(self.chars, (char_terms(text) for text in normalized), len(texts))
        return sparse.hstack([words, chars], format="csr", dtype=np.float32)

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[np.generic]]:
        """The featurizer as named arrays, for ``np.savez``."""
        return {
            f"{prefix}word_terms": _terms_array(self.words),
            f"{prefix}word_idf": self.words.idf,
            f"{prefix}char_terms": _terms_array(self.chars),
            f"{prefix}char_idf": self.chars.idf,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[np.generic]], prefix: str) -> TextFeaturizer:
        return cls(
            _block_from(arrays[f"{prefix}word_terms"], arrays[f"{prefix}word_idf"]),
            _block_from(arrays[f"{prefix}char_terms"], arrays[f"{prefix}char_idf"]),
        )


def _fit_block(documents: Iterable[list[str]], count: int, min_df: int, max_terms: int) -> TermBlock:
    frequency: Counter[str] = Counter()
    for terms in documents:
        frequency.update(set(terms))
    kept = [(term, df) for term, df in frequency.items() if df >= min_df]
    kept.sort(key=lambda item: (-item[1], item[0]))
    kept = kept[:max_terms]
    kept.sort(key=lambda item: item[0])
    vocabulary = {term: index for index, (term, _) in enumerate(kept)}
    df = np.array([df for _, df in kept], dtype=np.float64)
    idf = (np.log((1 + count) / (1 + df)) + 1).astype(np.float32)
    return TermBlock(vocabulary, idf)


def _transform_block(block: TermBlock, documents: Iterable[list[str]], count: int) -> sparse.csr_matrix:
    lookup = block.vocabulary.get
    indptr = [0]
    indices: list[int] = []
    values: list[int] = []
    for terms in documents:
        counts = Counter(index for index in map(lookup, terms) if index is not None)
        indices.extend(counts.keys())
        values.extend(counts.values())
        indptr.append(len(indices))
    data = np.asarray(values, dtype=np.float32)
    np.log(data, out=data)
    data += 1.0
    columns = np.asarray(indices, dtype=np.int32)
    if len(columns):
        data *= block.idf[columns]
    matrix = sparse.csr_matrix(
        (data, columns, np.asarray(indptr, dtype=np.int32)), shape=(count, block.size), dtype=np.float32
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
    return matrix


def _terms_array(block: TermBlock) -> npt.NDArray[np.str_]:
    ordered = sorted(block.vocabulary.items(), key=lambda item: item[1])
    return np.array([term for term, _ in ordered], dtype=np.str_)


def _block_from(terms: npt.NDArray[np.generic], idf: npt.NDArray[np.generic]) -> TermBlock:
    return TermBlock({str(term): index for index, term in enumerate(terms)}, idf.astype(np.float32))
