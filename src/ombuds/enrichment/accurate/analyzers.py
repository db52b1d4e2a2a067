"""The accurate model's heads as the engine's analyzers: the same findings, another reader.

Sentiment still reads emoji and problems reported solved after the model, category still drops
a lost thing reported found, and intent's learned head still decides only where it is sure:
only the probabilities come from the tuned MiniLM. Every finding carries the accurate model's
version and how it was read (``minilm-ft-….int8``), so an enrichment row says which path read it.
"""

from __future__ import annotations

from ombuds.enrichment.accurate.tuning import AccurateModel
from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.intent import IntentAnalyzer
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.engine import AnalysisEngine


def accurate_classifier(model: AccurateModel, head: str) -> TextClassifier:
    """The analyzer for one of the model's heads (sentiment, category or intent)."""
    kind = {"sentiment": SentimentAnalyzer, "category": CategoryAnalyzer}.get(head, TextClassifier)
    return kind(model.encoder, model.heads[head], version=model.stamp)


def with_accurate(engine: AnalysisEngine, model: AccurateModel) -> AnalysisEngine:
    """A copy of the engine whose sentiment, category and intent read with the model's heads."""
    for head in model.heads:
        if head == "intent":
            engine = engine.with_intent(IntentAnalyzer(learned=accurate_classifier(model, head)))
        else:
            engine = engine.replace(accurate_classifier(model, head))
    return engine
