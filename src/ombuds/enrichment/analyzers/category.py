"""The brand's own complaint categories (lost luggage, billing, outage …), learned from examples.

A linear head over the shared TF-IDF features. Each category's name is added as one extra,
weighted example, so a category that has only a handful of examples still knows its own words
("Lost Luggage" → "lost", "luggage"). A ``none`` class, when trained, stands for "no category".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ombuds.enrichment.analyzers.resolution import read_resolution
from ombuds.enrichment.analyzers.text_classifier import Features, TextClassifier
from ombuds.enrichment.base import Finding

NO_CATEGORY = "none"
#: Stamped after the model's version: a lost thing reported found names no category (``resolution``).
SOLVED_VERSION = "solved.1"


class CategoryAnalyzer(TextClassifier):
    """Label is the category, or ``None`` when the ``none`` class wins."""

    name: ClassVar[str] = "category"

    @property
    def version(self) -> str:
        return f"{self._version}+{SOLVED_VERSION}"

    def analyze_features(self, features: Features) -> list[Finding]:
        return [
            finding
            if finding.label != NO_CATEGORY
            else Finding(finding.analyzer, finding.model_version, None, finding.score, finding.data)
            for finding in super().analyze_features(features)
        ]

    def read_texts(self, findings: list[Finding], texts: Sequence[str]) -> list[Finding]:
        """A lost thing reported found, with nothing negative left, names nothing to fix: no category."""
        read = []
        for finding, text in zip(findings, texts, strict=True):
            resolution = read_resolution(text) if finding.label is not None else None
            if resolution is not None and resolution.is_thanks:
                finding = Finding(
                    finding.analyzer,
                    finding.model_version,
                    None,
                    finding.score,
                    {**finding.data, "solved": resolution.solved},
                )
            read.append(finding)
        return read

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [label or NO_CATEGORY for label in super().predict(texts)]
