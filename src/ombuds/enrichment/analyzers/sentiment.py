"""Sentiment towards the brand: negative, neutral or positive, with the model's confidence."""

from __future__ import annotations

from typing import ClassVar

from ombuds.enrichment.analyzers.text_classifier import TextClassifier

SENTIMENTS = ("negative", "neutral", "positive")


class SentimentAnalyzer(TextClassifier):
    """A linear model over word and character TF-IDF, trained by scripts/build_enrichment_models.py."""

    name: ClassVar[str] = "sentiment"
