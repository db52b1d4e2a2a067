"""Text to features: TF-IDF of word 1–2-grams and character 2–5-grams within words, and a dense
sentence vector projected from the words (distilled from a sentence encoder, see distill.py).

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
from itertools import chain, pairwise

import numpy as np
import numpy.typing as npt
from scipy import sparse

URL = re.compile(r"https?://\S+|www\.\S+")
HANDLE = re.compile(r"@\w+")
NUMBER = re.compile(r"\d+")
WORD = re.compile(r"[a-z0-9_']+|[!?]+|[^\sa-z0-9_'!?.,:;\"()\-]")

FloatArray = npt.NDArray[np.float32]
TOKEN_CACHE_SIZE = 200_000


def normalize(text: str) -> str:
    """Lower-case, decode HTML entities and fold links, handles and digits into placeholders.

    Handles and numbers vary per brand and per message; what matters is that one is there.
    """
    text = html.unescape(text).lower()
    text = URL.sub(" httpurl ", text)
    text = HANDLE.sub(" @user ", text)
    return NUMBER.sub("0", text)


def word_terms(normalized: str) -> list[str]:
    """Word unigrams and bigrams ("a b"; punctuation runs and emoji count as words)."""
    words: list[str] = WORD.findall(normalized)
    return words + [f"{first} {second}" for first, second in pairwise(words)]


def char_terms(normalized: str) -> list[str]:
    """Character 2–5-grams inside space-padded words: robust to typos, elongation and affixes."""
    terms: list[str] = []
    for token in normalized.split():
        terms.extend(token_char_terms(token))
    return terms


def token_char_terms(token: str) -> list[str]:
    padded = f" {token} "
    size = len(padded)
    return [padded[i : i + n] for n in (2, 3, 4, 5) if n <= size for i in range(size - n + 1)]


@dataclass
class TermBlock:
    """One family of terms with its vocabulary and inverse document frequencies."""

    vocabulary: dict[str, int]
    idf: FloatArray

    @property
    def size(self) -> int:
        return len(self.vocabulary)


class TextFeaturizer:
    """Sublinear TF-IDF over word and character terms, each block L2-normalised, side by side,
    then (with a projection) the unit-length sentence vector ``unit(words @ projection.T)``.
    """

    def __init__(self, words: TermBlock, chars: TermBlock, projection: FloatArray | None = None) -> None:
        self.words = words
        self.chars = chars
        self.projection = projection
        # Words repeat (Zipf): remembering each word's character-term columns makes the
        # character block several times faster than generating n-grams for every occurrence.
        self._token_columns: dict[str, list[int]] = {}

    @property
    def sparse_size(self) -> int:
        """Columns of the TF-IDF blocks; the dense sentence vector comes after them."""
        return self.words.size + self.chars.size

    @property
    def dimensions(self) -> int:
        return 0 if self.projection is None else int(self.projection.shape[0])

    @property
    def size(self) -> int:
        return self.sparse_size + self.dimensions

    def with_projection(self, projection: FloatArray) -> TextFeaturizer:
        return TextFeaturizer(self.words, self.chars, projection.astype(np.float32))

    @classmethod
    def fit(cls, texts: Sequence[str], *, min_df: int = 2, max_terms: int = 60_000) -> TextFeaturizer:
        """Learn vocabularies from texts: terms in at least ``min_df`` texts, the most common first."""
        normalized = [normalize(text) for text in texts]
        return cls(
            _fit_block((word_terms(text) for text in normalized), len(texts), min_df, max_terms),
            _fit_block((char_terms(text) for text in normalized), len(texts), min_df, max_terms),
        )

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One row per text; columns are word terms, character terms, then the sentence vector."""
        normalized = [normalize(text) for text in texts]
        lookup = self.words.vocabulary.get
        word_columns = [
            [column for column in map(lookup, word_terms(text)) if column is not None] for text in normalized
        ]
        char_columns = [self._char_columns(text) for text in normalized]
        words = _tfidf(self.words, word_columns)
        chars = _tfidf(self.chars, char_columns)
        blocks = [words, chars]
        if self.projection is not None:
            blocks.append(
                sparse.csr_matrix(unit_rows(np.asarray(words @ self.projection.T, dtype=np.float32)))
            )
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def sentence_vectors(self, features: sparse.csr_matrix) -> FloatArray:
        """The dense block of transformed rows (unit length; empty texts give zeros)."""
        return np.asarray(features[:, self.sparse_size :].todense(), dtype=np.float32)

    def _char_columns(self, normalized: str) -> list[int]:
        cache = self._token_columns
        columns: list[int] = []
        for token in normalized.split():
            found = cache.get(token)
            if found is None:
                if len(cache) >= TOKEN_CACHE_SIZE:
                    cache.clear()
                lookup = self.chars.vocabulary.get
                found = [c for c in map(lookup, token_char_terms(token)) if c is not None]
                cache[token] = found
            columns.extend(found)
        return columns

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[np.generic]]:
        """The featurizer as named arrays, for ``np.savez``."""
        arrays: dict[str, npt.NDArray[np.generic]] = {
            f"{prefix}word_terms": _terms_array(self.words),
            f"{prefix}word_idf": self.words.idf,
            f"{prefix}char_terms": _terms_array(self.chars),
            f"{prefix}char_idf": self.chars.idf,
        }
        if self.projection is not None:
            arrays[f"{prefix}projection"] = self.projection.astype(np.float16)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[np.generic]], prefix: str) -> TextFeaturizer:
        projection = arrays.get(f"{prefix}projection")
        return cls(
            _block_from(arrays[f"{prefix}word_terms"], arrays[f"{prefix}word_idf"]),
            _block_from(arrays[f"{prefix}char_terms"], arrays[f"{prefix}char_idf"]),
            None if projection is None else projection.astype(np.float32),
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


def _tfidf(block: TermBlock, documents: list[list[int]]) -> sparse.csr_matrix:
    """Rows of sublinear TF-IDF (1 + log count, times idf), each scaled to unit length."""
    count = len(documents)
    lengths = np.fromiter((len(columns) for columns in documents), dtype=np.int64, count=count)
    columns = np.fromiter(chain.from_iterable(documents), dtype=np.int32, count=int(lengths.sum()))
    rows = np.repeat(np.arange(count, dtype=np.int32), lengths)
    ones = np.ones(len(columns), dtype=np.float32)
    matrix = sparse.coo_matrix((ones, (rows, columns)), shape=(count, block.size)).tocsr()
    matrix.sum_duplicates()
    data = matrix.data
    np.log(data, out=data)
    data += 1.0
    data *= block.idf[matrix.indices]
    row_of = np.repeat(np.arange(count), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=count)).astype(np.float32)
    norms[norms == 0] = 1.0
    data /= norms[row_of]
    return matrix


def unit_rows(matrix: FloatArray) -> FloatArray:
    """Each row scaled to length one; all-zero rows stay zero."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: FloatArray = matrix / norms
    return result


def _terms_array(block: TermBlock) -> npt.NDArray[np.str_]:
    ordered = sorted(block.vocabulary.items(), key=lambda item: item[1])
    return np.array([term for term, _ in ordered], dtype=np.str_)


def _block_from(terms: npt.NDArray[np.generic], idf: npt.NDArray[np.generic]) -> TermBlock:
    return TermBlock({str(term): index for index, term in enumerate(terms)}, idf.astype(np.float32))
