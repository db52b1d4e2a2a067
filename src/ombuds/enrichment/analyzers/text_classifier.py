"""A linear head over shared TF-IDF features: the shape of sentiment, intent and category."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.findings import ClassifierData
from ombuds.enrichment.linear import LinearModel, top_labels

#: What a head reads: sparse TF-IDF rows (the fast path) or dense sentence vectors (accurate).
Features: TypeAlias = sparse.csr_matrix | npt.NDArray[np.float32]


class Featurizer(Protocol):
    """Texts in, one row of features per text (``TextFeaturizer``, the accurate ``Encoder``)."""

    def transform(self, texts: Sequence[str]) -> Features: ...


class TextClassifier:
    """Labels each mention with the most probable class; ``score`` is that class's probability.

    ``data["probabilities"]`` keeps every class's probability so that the interface can show
    doubt and thresholds can be set later without re-running the model.
    """

    name: ClassVar[str] = "text"

    def __init__(self, featurizer: Featurizer, model: LinearModel, *, version: str) -> None:
        self.featurizer = featurizer
        self.model = model
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    @property
    def classes(self) -> tuple[str, ...]:
        return self.model.classes

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        findings = self.analyze_features(self.featurizer.transform([facts.text for facts in batch]))
        return self.read_texts(findings, [facts.text for facts in batch])

    def read_texts(self, findings: list[Finding], texts: Sequence[str]) -> list[Finding]:
        """A second look at what the features missed (emoji for sentiment); by default none."""
        return findings

    def analyze_features(self, features: Features) -> list[Finding]:
        """Findings from features already computed by this analyzer's featurizer (shared per batch)."""
        if features.shape[0] == 0:
            return []
        return [
            Finding(self.name, self.version, label, score, ClassifierData(spread).to_data())
            for label, score, spread in top_labels(self.classes, self.model.probabilities(features))
        ]

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The label of each text (evaluation and tests)."""
        return [finding.label or "" for finding in self.analyze([MentionFacts(text) for text in texts])]
