"""A small dense vector per mention, for clustering complaints and matching them to promises.

Latent semantic analysis: the shared word TF-IDF features projected on the main directions of
a large unlabelled corpus (a truncated SVD computed by scripts/build_enrichment_models.py).
One sparse-by-dense product per batch, so it runs on the hot path; words that occur together in
the corpus land close, so "bag" and "luggage" complaints end up near each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.features import TextFeaturizer


class EmbeddingAnalyzer:
    """``data["vector"]`` is a unit-length list of floats (cosine = dot product); no label."""

    name: ClassVar[str] = "embedding"

    def __init__(
        self, featurizer: TextFeaturizer, components: npt.NDArray[np.float32], *, version: str
    ) -> None:
        self.featurizer = featurizer
        self.components = components.astype(np.float32)
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    @property
    def dimensions(self) -> int:
        return int(self.components.shape[0])

    def vectors(self, features: sparse.csr_matrix) -> npt.NDArray[np.float32]:
        words = features[:, : self.featurizer.words.size]
        dense = np.asarray(words @ self.components.T, dtype=np.float32)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: npt.NDArray[np.float32] = dense / norms
        return result

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        return self.analyze_features(self.featurizer.transform([facts.text for facts in batch]))

    def analyze_features(self, features: sparse.csr_matrix) -> list[Finding]:
        rounded = np.round(self.vectors(features).astype(np.float64), 4).tolist()
        return [Finding(self.name, self._version, None, None, {"vector": row}) for row in rounded]
