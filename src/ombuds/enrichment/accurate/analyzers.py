"""The accurate model's heads as the engine's analyzers: the same findings, another reader.

Sentiment reads emoji after the model only in a message with no words (``AccurateSentiment``),
category still drops a lost thing reported found, and intent's learned head still decides only
where it is sure: only the probabilities come from the tuned MiniLM. Every finding carries the accurate model's
version and how it was read (``minilm-ft-….int8``), so an enrichment row says which path read it.

Where ``recipe.WITH_FAST`` gives a head a share, its probabilities are the accurate head's
averaged with the fast head's the engine already has (the brand's own or the shipped one): two
models that err differently, for the price of the fast path's reading (a small share of the
accurate one's). The version then says so (``minilm-ft-….int8+fast.10``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ombuds.enrichment.accurate.recipe import SMALL_SET_WITH_FAST, WITH_FAST
from ombuds.enrichment.accurate.tuning import AccurateModel
from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.emoji_reading import EmojiReading, read_emoji
from ombuds.enrichment.analyzers.intent import IntentAnalyzer
from ombuds.enrichment.analyzers.resolution import Resolution
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.engine import AnalysisEngine
from ombuds.enrichment.linear import LinearModel

FloatArray = npt.NDArray[np.float32]


#: Stamped after the accurate sentiment's version: emoji read where a message has no words.
ACCURATE_SENTIMENT_RULES = "emoji-alone.1"


class AccurateSentiment(SentimentAnalyzer):
    """Sentiment read by the tuned model, which reads the words itself. The fast path's rules
    after it (emoji, problems reported solved) lowered its macro-F1 by 0.3-0.4 points on each of
    three splits of the learning part (docs/analysis.md, "Rules after the accurate model"), so
    emoji move its reading only where a message has no words: MiniLM reads an emoji as [UNK], and
    "@skyways 😡" would otherwise read as nothing at all."""

    @property
    def version(self) -> str:
        return f"{self._version}+{ACCURATE_SENTIMENT_RULES}"

    def emoji_of(self, text: str) -> EmojiReading | None:
        reading = read_emoji(text)
        return reading if reading is not None and reading.words == 0 else None

    def resolution_of(self, text: str) -> Resolution | None:
        return None


class Blend:
    """The featurizer of a blended head: each text's row is the log of ``(1 - share)`` times
    the accurate head's probabilities plus ``share`` times the fast head's, per class of the
    accurate head (a class the fast head lacks counts 0 there); the identity head over these
    rows gives the averaged probabilities back (softmax of a log)."""

    def __init__(self, model: AccurateModel, head: str, fast: TextClassifier, share: float) -> None:
        if not 0 <= share <= 1:
            raise ValueError(f"{head}: the fast head's share must be in [0, 1], got {share}")
        self.model = model
        self.head = head
        self.fast = fast
        self.share = share
        self.classes = model.heads[head].classes
        self._columns = [fast.classes.index(name) if name in fast.classes else -1 for name in self.classes]

    def transform(self, texts: Sequence[str]) -> FloatArray:
        accurate = self.model.probabilities(self.head, texts)
        fast = self.fast.model.probabilities(self.fast.featurizer.transform(texts))
        padded = np.concatenate([fast, np.zeros((len(texts), 1), dtype=np.float32)], axis=1)
        mixed = (1 - self.share) * accurate + self.share * padded[:, self._columns]
        return np.log(np.maximum(mixed, 1e-12)).astype(np.float32)


def accurate_classifier(
    model: AccurateModel, head: str, fast: TextClassifier | None = None
) -> TextClassifier:
    """The analyzer for one of the model's heads (sentiment, category or intent), averaged with
    the fast head ``fast`` where ``WITH_FAST`` gives the head a share (``SMALL_SET_WITH_FAST``'s
    where the head learnt from few examples)."""
    kind = {"sentiment": AccurateSentiment, "category": CategoryAnalyzer}.get(head, TextClassifier)
    share = WITH_FAST.get(head, 0.0)
    below, small_set_share = SMALL_SET_WITH_FAST.get(head, (0, share))
    if model.examples.get(head, 0) < below:
        share = small_set_share
    if fast is None or share <= 0:
        return kind(model.encoder, model.heads[head], version=model.stamp)
    classes = model.heads[head].classes
    identity = LinearModel(
        classes, np.eye(len(classes), dtype=np.float32), np.zeros(len(classes), dtype=np.float32)
    )
    return kind(
        Blend(model, head, fast, share), identity, version=f"{model.stamp}+fast.{round(share * 100):02d}"
    )


def with_accurate(engine: AnalysisEngine, model: AccurateModel) -> AnalysisEngine:
    """A copy of the engine whose sentiment, category and intent read with the model's heads
    (averaged with the engine's own heads where ``WITH_FAST`` says)."""
    for head in model.heads:
        if head == "intent":
            engine = engine.with_intent(IntentAnalyzer(learned=accurate_classifier(model, head)))
        else:
            engine = engine.replace(accurate_classifier(model, head, engine.classifier(head)))
    return engine
