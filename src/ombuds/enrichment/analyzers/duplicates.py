"""Near-duplicates: reposts and copy-paste campaigns share one group key.

A thousand copies of one complaint are one voice with a thousand echoes. The key is a hash of
the text with what varies between copies removed (repost prefixes, handles, links, case,
punctuation), so exact copies agree across batches and across days without any lookup. Copies
edited slightly are caught by a 64-bit SimHash of their words: within a batch they join the
earlier copy's group, and the stored ``simhash`` and ``bands`` let a caller find earlier copies.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from ombuds.enrichment.base import Finding, MentionFacts

VERSION = "simhash64-2026.11.1"

REPOST = re.compile(r"^\s*(?:rt|via|repost(?:ed)?)\s*:?\s*@\w+\s*:?\s*", re.IGNORECASE)
NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|&amp;|[^\w\s]", re.UNICODE)
SPACE = re.compile(r"\s+")
MAX_DISTANCE = 7  # differing bits out of 64: about one word changed in a tweet-length text
BANDS = 8  # 8 bands of 8 bits: two SimHashes within 7 bits share at least one band exactly
BAND_BITS = 64 // BANDS
MIN_WORDS = 6  # "thanks so much!" from different people is not a campaign


def canonical(text: str) -> str:
    """What stays the same between copies of one message."""
    text = REPOST.sub("", text)
    text = NOISE.sub(" ", text.lower())
    return SPACE.sub(" ", text).strip()


def group_key(canonical_text: str) -> str:
    return hashlib.blake2b(canonical_text.encode("utf-8"), digest_size=8).hexdigest()


_hashes: dict[str, int] = {}
HASH_CACHE_SIZE = 200_000


def _feature_hash(feature: str) -> int:
    """A stable 64-bit hash of a word, remembered: words repeat, hashing them again is waste."""
    found = _hashes.get(feature)
    if found is None:
        if len(_hashes) >= HASH_CACHE_SIZE:
            _hashes.clear()
        found = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
        _hashes[feature] = found
    return found


def _features(canonical_text: str) -> list[str]:
    """Distinct words: on tweet-length texts word pairs make one edited word move too many bits."""
    return list(dict.fromkeys(canonical_text.split()))


def simhashes(canonical_texts: Sequence[str]) -> list[int]:
    """64-bit SimHash of each text over its words: similar texts differ in few bits.

    Computed for the whole batch in one pass of array arithmetic.
    """
    features = [_features(text) for text in canonical_texts]
    counts = np.array([len(found) for found in features], dtype=np.int64)
    hashes = np.fromiter(
        (_feature_hash(f) for found in features for f in found), dtype=np.uint64, count=int(counts.sum())
    )
    if not len(hashes):
        return [0] * len(canonical_texts)
    bits = ((hashes[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).astype(np.int32)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    nonempty = counts > 0
    votes = np.zeros((len(canonical_texts), 64), dtype=np.int64)
    votes[nonempty] = np.add.reduceat(bits, starts[nonempty], axis=0)
    majority = votes * 2 > counts[:, None]
    weights = np.uint64(1) << np.arange(64, dtype=np.uint64)
    packed = (majority.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
    return [int(value) for value in packed]


def simhash(canonical_text: str) -> int:
    return simhashes([canonical_text])[0]


def bands(value: int) -> list[str]:
    """The SimHash cut into eight bytes, each tagged with its position: the lookup keys."""
    digits = f"{value:016x}"
    return [f"{i}:{digits[2 * i : 2 * i + 2]}" for i in range(BANDS)]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class DuplicateAnalyzer:
    """Label is the group key; ``data`` holds the SimHash, its bands and whether this is a repost."""

    name: ClassVar[str] = "duplicates"

    @property
    def version(self) -> str:
        return VERSION

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        findings: list[Finding] = []
        by_band: dict[str, list[tuple[int, str]]] = {}
        group_of_key: dict[str, str] = {}
        texts = [canonical(facts.text) for facts in batch]
        fingerprints = simhashes(texts)
        for facts, text, value in zip(batch, texts, fingerprints, strict=True):
            key = group_key(text)
            is_long = text.count(" ") + 1 >= MIN_WORDS
            keys = bands(value) if is_long else []
            group = group_of_key.get(key)
            if group is None:
                group = (self._near(value, keys, by_band) if is_long else None) or key
                group_of_key[key] = group
                for band in keys:
                    by_band.setdefault(band, []).append((value, group))
            findings.append(
                Finding(
                    self.name,
                    VERSION,
                    group,
                    None,
                    {
                        "exact_key": key,
                        "simhash": f"{value:016x}" if is_long else None,
                        "bands": keys,
                        "is_repost": REPOST.match(facts.text) is not None,
                    },
                )
            )
        return findings

    @staticmethod
    def _near(fingerprint: int, keys: list[str], by_band: dict[str, list[tuple[int, str]]]) -> str | None:
        for band in keys:
            for other, key in by_band.get(band, ()):
                if hamming(fingerprint, other) <= MAX_DISTANCE:
                    return key
        return None
