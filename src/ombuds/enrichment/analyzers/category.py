"""The brand's own complaint categories (lost luggage, billing, outage …), learned from examples.

A linear head over the shared TF-IDF features. Each category's name is added as one extra,
weighted example, so a category that has only a handful of examples still knows its own words
("Lost Luggage" → "lost", "luggage"). A ``none`` class, when trained, stands for "no category".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from scipy import sparse

from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.base import Finding

NO_CATEGORY = "none"


class CategoryAnalyzer(TextClassifier):
    """Label is the category, or ``None`` when the ``none`` class wins."""

    name: ClassVar[str] = "category"

    def analyze_features(self, features: sparse.csr_matrix) -> list[Finding]:
        return [
            finding
            if finding.label != NO_CATEGORY
            else Finding(finding.analyzer, finding.model_version, None, finding.score, finding.data)
            for finding in super().analyze_features(features)
        ]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [label or NO_CATEGORY for label in super().predict(texts)]
