"""The analysis engine: every analyzer over one batch, text features computed once and shared.

The pipeline calls ``load_default_engine().analyze(batch)`` (or the brand's engine) and stores
each finding as one enrichment row. Pure: loading reads package files, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.duplicates import DuplicateAnalyzer
from ombuds.enrichment.analyzers.embedding import EmbeddingAnalyzer
from ombuds.enrichment.analyzers.intent import IntentAnalyzer
from ombuds.enrichment.analyzers.language import LanguageAnalyzer
from ombuds.enrichment.analyzers.pii import PiiAnalyzer
from ombuds.enrichment.analyzers.reach import ReachAnalyzer
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.analyzers.signals import SignalAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.artifacts import fingerprint, model_path, read_arrays
from ombuds.enrichment.base import Analyzer, Finding, MentionFacts
from ombuds.enrichment.features import TextFeaturizer
from ombuds.enrichment.linear import LinearModel
from ombuds.settings import get_settings

#: What a customer feels and wants; the brand's own replies get neither, so they never read as
#: a negative complaint in the inbox, in routing or in storm detection.
CUSTOMER_ONLY = frozenset({"sentiment", "intent"})


class AnalysisEngine:
    """Runs text classifiers on shared features, then every other analyzer, batch in, batch out.

    Intent reads the sentiment probabilities, so it runs after the classifiers.
    """

    def __init__(
        self,
        *,
        featurizer: TextFeaturizer,
        classifiers: Sequence[TextClassifier],
        analyzers: Sequence[Analyzer] = (),
        intent: IntentAnalyzer | None = None,
        embedding: EmbeddingAnalyzer | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.classifiers = list(classifiers)
        self.analyzers = list(analyzers)
        self.intent = intent
        self.embedding = embedding

    @property
    def versions(self) -> dict[str, str]:
        """Analyzer name → model version, as stamped on every finding."""
        every: list[TextClassifier | Analyzer] = [*self.classifiers, *self.analyzers]
        if self.intent is not None:
            every.append(self.intent)
        if self.embedding is not None:
            every.append(self.embedding)
        return {analyzer.name: analyzer.version for analyzer in every}

    def classifier(self, name: str) -> TextClassifier | None:
        return next((found for found in self.classifiers if found.name == name), None)

    def replace(self, classifier: TextClassifier) -> AnalysisEngine:
        """A copy of this engine with one text classifier swapped (or added): brand models, eval."""
        kept = [found for found in self.classifiers if found.name != classifier.name]
        return AnalysisEngine(
            featurizer=self.featurizer,
            classifiers=[*kept, classifier],
            analyzers=self.analyzers,
            intent=self.intent,
            embedding=self.embedding,
        )

    def with_intent(self, intent: IntentAnalyzer) -> AnalysisEngine:
        """A copy of this engine with another intent analyzer (a brand's learned one)."""
        return AnalysisEngine(
            featurizer=self.featurizer,
            classifiers=self.classifiers,
            analyzers=self.analyzers,
            intent=intent,
            embedding=self.embedding,
        )

    def analyze(self, batch: Sequence[MentionFacts]) -> list[list[Finding]]:
        """One list per mention, in batch order, with one finding from each analyzer.

        The brand's own replies (``is_outbound``) get no sentiment or intent finding.
        """
        if not batch:
            return []
        columns: list[list[Finding]] = []
        shared = None
        for classifier in self.classifiers:
            if classifier.featurizer is self.featurizer:
                if shared is None:
                    shared = self.featurizer.transform([facts.text for facts in batch])
                found = classifier.analyze_features(shared)
                columns.append(classifier.read_texts(found, [facts.text for facts in batch]))
            else:
                columns.append(classifier.analyze(batch))
        if self.intent is not None:
            names = [classifier.name for classifier in self.classifiers]
            sentiments: list[Finding | None] = (
                list(columns[names.index("sentiment")]) if "sentiment" in names else [None] * len(batch)
            )
            learned = self.intent.learned
            if learned is not None and learned.featurizer is not self.featurizer:
                # an accurate head reads its own vectors, never the shared TF-IDF rows
                columns.append(self.intent.analyze_with(batch, sentiments))
            else:
                if shared is None and learned is not None:
                    shared = self.featurizer.transform([facts.text for facts in batch])
                columns.append(self.intent.analyze_with(batch, sentiments, features=shared))
        if self.embedding is not None:
            if shared is None:
                shared = self.featurizer.transform([facts.text for facts in batch])
            columns.append(self.embedding.analyze_features(shared))
        columns.extend(analyzer.analyze(batch) for analyzer in self.analyzers)
        return [
            [finding for finding in row if not (facts.is_outbound and finding.analyzer in CUSTOMER_ONLY)]
            for facts, row in zip(batch, zip(*columns, strict=True), strict=True)
        ]


def build_engine(path: Path | None = None) -> AnalysisEngine:
    """Read an artifact (the configured one, else the shipped one) and assemble the full engine."""
    path = path or model_path(get_settings().analysis_model)
    arrays = read_arrays(path)
    stamp = fingerprint(path)
    featurizer = TextFeaturizer.from_arrays(arrays, "features/")
    classifiers: list[TextClassifier] = [
        SentimentAnalyzer(
            featurizer, LinearModel.from_arrays(arrays, "sentiment/"), version=f"tfidf-lr-{stamp}"
        )
    ]
    if "category/classes" in arrays:
        classifiers.append(
            CategoryAnalyzer(
                featurizer, LinearModel.from_arrays(arrays, "category/"), version=f"tfidf-lr-{stamp}"
            )
        )
    embedding = None
    if featurizer.projection is not None:
        embedding = EmbeddingAnalyzer(featurizer, version=f"distilled{featurizer.dimensions}-{stamp}")
    return AnalysisEngine(
        featurizer=featurizer,
        classifiers=classifiers,
        intent=IntentAnalyzer(),
        analyzers=rule_analyzers(),
        embedding=embedding,
    )


def rule_analyzers() -> list[Analyzer]:
    """The analyzers that need no trained weights of ours."""
    return [SignalAnalyzer(), ReachAnalyzer(), PiiAnalyzer(), LanguageAnalyzer(), DuplicateAnalyzer()]


@cache
def load_default_engine() -> AnalysisEngine:
    """The shipped engine, loaded once per process."""
    return build_engine()
