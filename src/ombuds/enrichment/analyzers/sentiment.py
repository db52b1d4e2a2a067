"""Sentiment towards the brand: negative, neutral or positive, with the model's confidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ombuds.enrichment.analyzers.emoji_reading import EmojiReading, read_emoji, with_emoji
from ombuds.enrichment.analyzers.resolution import Resolution, read_resolution, toward_positive
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.base import Finding
from ombuds.enrichment.findings import ClassifierData

SENTIMENTS = ("negative", "neutral", "positive")
#: Stamped after the model's version: findings that read emoji say so.
EMOJI_VERSION = "emoji.2+solved.1"


class SentimentAnalyzer(TextClassifier):
    """A linear model over word and character TF-IDF, trained by scripts/build_enrichment_models.py.

    Emoji then move the probabilities (``emoji_reading``): strongly in a short message, a little
    in a long one. ``data["emoji"]`` lists the emoji that did. A problem reported solved with
    nothing negative left (``resolution``) moves them toward positive; ``data["solved"]`` quotes it.
    """

    name: ClassVar[str] = "sentiment"

    @property
    def version(self) -> str:
        return f"{self._version}+{EMOJI_VERSION}"

    def emoji_of(self, text: str) -> EmojiReading | None:
        return read_emoji(text)

    def resolution_of(self, text: str) -> Resolution | None:
        resolution = read_resolution(text)
        if resolution is not None and not resolution.is_thanks:
            return None  # something negative besides the solved problem: the model's reading stands
        return resolution

    def read_texts(self, findings: list[Finding], texts: Sequence[str]) -> list[Finding]:
        read = []
        for finding, text in zip(findings, texts, strict=True):
            reading = self.emoji_of(text)
            resolution = self.resolution_of(text)
            if reading is None and resolution is None:
                read.append(finding)
                continue
            probabilities = ClassifierData.parse(finding.data, analyzer=self.name).probabilities
            extra: dict[str, object] = {}
            if resolution is not None:
                probabilities = toward_positive(probabilities, resolution)
                extra["solved"] = resolution.solved
            if reading is not None:
                probabilities = with_emoji(probabilities, reading)
                extra["emoji"] = list(reading.emoji)
            label = max(probabilities, key=lambda key: probabilities[key])
            data = ClassifierData(probabilities).to_data() | extra
            read.append(Finding(self.name, self.version, label, probabilities[label], data))
        return read
