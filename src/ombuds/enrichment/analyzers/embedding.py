"""A small dense vector per mention, for clustering complaints and matching them to promises.

The featurizer's sentence vector: the word TF-IDF row times a matrix distilled from a sentence
encoder (all-MiniLM-L6-v2) over a large unlabelled corpus by scripts/build_enrichment_models.py.
One sparse-by-dense product per batch, so it runs on the hot path, and messages that share no
word ("stuck at the gate" and "delayed again") still land close.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from scipy import sparse

from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.features import TextFeaturizer


class EmbeddingAnalyzer:
    """``data["vector"]`` is a unit-length list of floats (cosine = dot product); no label."""

    name: ClassVar[str] = "embedding"

    def __init__(self, featurizer: TextFeaturizer, *, version: str) -> None:
        if featurizer.projection is None:
            raise ValueError("the featurizer has no sentence projection")
        self.featurizer = featurizer
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    @property
    def dimensions(self) -> int:
        return self.featurizer.dimensions

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        return self.analyze_features(self.featurizer.transform([facts.text for facts in batch]))

    def analyze_features(self, features: sparse.csr_matrix) -> list[Finding]:
        vectors = self.featurizer.sentence_vectors(features)
        rounded = np.round(vectors.astype(np.float64), 4).tolist()
        return [Finding(self.name, self._version, None, None, {"vector": row}) for row in rounded]
