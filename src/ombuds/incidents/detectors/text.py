"""Cheap text signatures: normalised words, hashed phrases (word 1-3-grams), TF-IDF medoids.

A phrase's hash is built from CRC-32 hashes of its words, so it is stable across processes (a
monitor's state can be stored and read back by another worker) and costs no string building.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet

import snowballstemmer

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#39|apos);")
_WORD = re.compile(r"#?[^\W_][\w'’]*")
_DROPPED = frozenset({"rt", "mt", "via", "amp"})
_MASK = 0xFFFFFFFF
_STOPWORD_TEXT = """a an the and or but if of to in on at by for with from as is are was were be been being am
    i me my we our you your he she it its they them their this that these those there here
    do does did done have has had having not no so too very just can could will would should
    what when where why how who which all any some more most other such only own same than
    then once again also about into over after before up down out off under while during
    im i'm it's don't dont can't cant you're thats that's get got"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

Span = tuple[int, int]
# Phrases that are not words: a link between messages strong enough on its own to tie a new
# mention to a storm (the same text again, or a reply to the post everyone is answering).
NEAR_DUPLICATES = "(near-duplicates)"
REPLIES_TO_ONE_POST = "(replies to one post)"
LINKS = frozenset({NEAR_DUPLICATES, REPLIES_TO_ONE_POST})
MIN_TELLING_TERMS = 8  # words and word pairs a representative text should carry to tell the story  # (first word, number of words)


def words(text: str) -> list[str]:
    """Lower-case words and hashtags, without links, @handles, entities and retweet markers."""
    text = _ENTITY.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    found = (w.replace("’", "'").lower().strip("'") for w in _WORD.findall(text))
    return [w for w in found if w and w not in _DROPPED]


_STEMMER = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    # A stream repeats its words: remembering their stems took stemming from an eighth of
    # detection's time to almost nothing.
    return str(_STEMMER.stemWord(word))


def stems(found: Iterable[str]) -> list[str]:
    """English stems (crashes, crashing: crash), so people who word one problem differently meet."""
    return [_stem(word) for word in found]


@functools.lru_cache(maxsize=20_000)
def stem_set(text: str) -> frozenset[str]:
    """The stems of a text's words. A storm's sampled mentions are asked what they are about at
    every alarm it meets (``book.is_about``); remembered, their words are read once."""
    return frozenset(stems(words(text)))


def word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def combine(first: int, second: int) -> int:
    """The hash of a run of words from the hash of its head and of its last word."""
    return ((first * 0x01000193) ^ second ^ 0x5BD1E995) & _MASK


def phrase_hash(phrase: str) -> int:
    hashes = [word_hash(word) for word in phrase.split()]
    result = hashes[0]
    for value in hashes[1:]:
        result = combine(result, value)
    return result


def phrases(tokens: Sequence[str]) -> dict[int, Span]:
    """Hashed phrases of one message: telling single words, and every 2- and 3-word run."""
    hashes = [word_hash(word) for word in tokens]
    stop = [word in STOPWORDS for word in tokens]
    found: dict[int, Span] = {}
    count = len(tokens)
    for i in range(count):
        if not stop[i] and len(tokens[i]) >= 4:
            found[hashes[i]] = (i, 1)
        if i + 1 < count:
            pair = combine(hashes[i], hashes[i + 1])
            if not (stop[i] and stop[i + 1]):
                found[pair] = (i, 2)
            if i + 2 < count and not (stop[i] and stop[i + 1] and stop[i + 2]):
                found[combine(pair, hashes[i + 2])] = (i, 3)
    return found


def phrase_text(tokens: Sequence[str], span: Span) -> str:
    start, size = span
    return " ".join(tokens[start : start + size])


@functools.lru_cache(maxsize=20_000)
def _text_terms(text: str) -> AbstractSet[int]:
    """``_terms`` of a text, remembered: a storm's sample is read again at every refresh. The
    set is shared, never changed: its iteration order, which the sums below follow, stays."""
    return _terms(words(text))


def _terms(tokens: Sequence[str]) -> set[int]:
    hashes = [word_hash(word) for word in tokens]
    keys = {h for h, word in zip(hashes, tokens, strict=True) if word not in STOPWORDS}
    keys.update(combine(a, b) for a, b in itertools.pairwise(hashes))
    return keys


def _normalised(keys: AbstractSet[int], weights: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(weights[key] ** 2 for key in keys))
    return {key: weights[key] / norm for key in keys} if norm else {}


def medoid(texts: Sequence[str], rate: Callable[[list[int]], list[float]]) -> int:
    """Index of the text that best shows what a group of texts is about.

    Each text is a TF-IDF vector of its words and word pairs; the centroid of the group weighs
    each term by how much more often the group uses it than the stream usually does (its lift),
    so the chosen text carries what is new in the burst rather than what every message says
    ("thanks", "help"). Linear in the number of texts.
    """
    if not texts:
        raise ValueError("medoid of nothing")
    terms = [_text_terms(text) for text in texts]
    vocabulary = sorted(set().union(*terms))
    rates = dict(zip(vocabulary, rate(vocabulary), strict=True))
    weights = {key: -math.log(max(value, 1e-9)) for key, value in rates.items()}
    vectors = [_normalised(keys, weights) for keys in terms]
    share: dict[int, float] = {}
    for keys in terms:
        for key in keys:
            share[key] = share.get(key, 0.0) + 1.0 / len(texts)
    centroid: dict[int, float] = {}
    for vector in vectors:
        for key, value in vector.items():
            centroid[key] = centroid.get(key, 0.0) + value
    for key in centroid:
        centroid[key] *= math.log1p(share[key] / max(rates[key], 1e-9))
    best, best_score = 0, -math.inf
    for index, vector in enumerate(vectors):
        if not vector:
            continue
        score = sum(value * centroid[key] for key, value in vector.items())
        # a one-liner ("yes please!") can match the centroid well and still say little
        score *= min(1.0, len(terms[index]) / MIN_TELLING_TERMS) ** 0.5
        if score > best_score:
            best, best_score = index, score
    return best
