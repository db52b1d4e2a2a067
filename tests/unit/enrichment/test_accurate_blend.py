"""An accurate head averaged with the fast head: the probabilities are the weighted mean of the
two, emoji are still read after them, and the rows' version says both read (pure, no torch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
import pytest

from ombuds.enrichment.accurate.analyzers import accurate_classifier
from ombuds.enrichment.accurate.recipe import (
    RANDOM_HEAD_MIN_EXAMPLES,
    SMALL_SET_WITH_FAST,
    WITH_FAST,
    Recipe,
)
from ombuds.enrichment.accurate.tuning import AccurateModel
from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.findings import ClassifierData
from ombuds.enrichment.linear import LinearModel

SENTIMENTS = ("negative", "neutral", "positive")


class Rows:
    """A featurizer that gives each known text its own row."""

    def __init__(self, rows: dict[str, list[float]]) -> None:
        self.rows = rows

    def transform(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        return np.array([self.rows[text] for text in texts], dtype=np.float32)


def _log_head(classes: Sequence[str]) -> LinearModel:
    """A head whose probabilities are its rows, when the rows are log-probabilities."""
    return LinearModel(
        tuple(classes), np.eye(len(classes), dtype=np.float32), np.zeros(len(classes), np.float32)
    )


def _model(
    rows: dict[str, list[float]],
    head: str = "sentiment",
    classes: Sequence[str] = SENTIMENTS,
    examples: int = 2,
) -> AccurateModel:
    """A model whose ``head`` reads each text's row as its probabilities."""
    logs = {text: np.log(row).tolist() for text, row in rows.items()}
    return AccurateModel(
        version="minilm-ft-0123456789ab",
        encoder=cast(Any, Rows(logs)),
        heads={head: _log_head(classes)},
        recipe=Recipe(),
        trained_at=datetime(2026, 12, 2, tzinfo=UTC),
        examples={head: examples},
        reading="int8",
    )


def test_the_fast_heads_share_moves_the_reading_and_the_version_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accurate = {"late again": [0.3, 0.4, 0.3], "thanks": [0.2, 0.5, 0.3]}
    model = _model(accurate)
    # the fast head knows only two classes: neutral counts 0 in its share
    fast_rows = {"late again": np.log([0.9, 0.1]).tolist(), "thanks": np.log([0.1, 0.9]).tolist()}
    fast = SentimentAnalyzer(
        cast(Any, Rows(fast_rows)), _log_head(("negative", "positive")), version="tfidf-lr-x"
    )

    monkeypatch.setitem(WITH_FAST, "sentiment", 0.0)
    alone = accurate_classifier(model, "sentiment", fast)
    assert alone.version.startswith("minilm-ft-0123456789ab.int8+")  # no share: the accurate model alone
    assert "fast" not in alone.version
    assert alone.predict(["late again", "thanks"]) == ["neutral", "neutral"]

    monkeypatch.setitem(WITH_FAST, "sentiment", 0.5)
    blended = accurate_classifier(model, "sentiment", fast)
    assert blended.version == "minilm-ft-0123456789ab.int8+fast.50+emoji-alone.1"
    assert blended.predict(["late again", "thanks"]) == ["negative", "positive"]
    (finding,) = blended.analyze([MentionFacts("late again")])
    read = ClassifierData.parse(finding.data, analyzer="sentiment").probabilities
    assert read == pytest.approx({"negative": 0.6, "neutral": 0.2, "positive": 0.2}, abs=1e-5)
    # without a fast head (an engine that has none) the accurate model reads alone
    assert accurate_classifier(model, "sentiment").version == alone.version


def test_emoji_move_the_tuned_reading_only_where_there_are_no_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """MiniLM reads an emoji as [UNK]: alone it says nothing, so the emoji decide; beside words
    the tuned model has read the message, and the fast path's rules lowered its macro-F1."""
    monkeypatch.setitem(WITH_FAST, "sentiment", 0.3)
    alone, beside_words = "@skyways 😍😍", "flight landed 😍😍"
    leaning_negative = [0.4, 0.35, 0.25]
    model = _model({alone: leaning_negative, beside_words: leaning_negative})
    rows = {text: np.log(leaning_negative).tolist() for text in (alone, beside_words)}
    fast = SentimentAnalyzer(cast(Any, Rows(rows)), _log_head(SENTIMENTS), version="f")
    accurate = accurate_classifier(model, "sentiment", fast)
    assert accurate.predict([alone, beside_words]) == ["positive", "negative"]
    # the fast path itself still reads the emoji beside words
    assert fast.predict([beside_words]) == ["positive"]


def test_a_share_outside_zero_to_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(WITH_FAST, "sentiment", 1.5)
    model = _model({"x": [0.3, 0.4, 0.3]})
    fast = SentimentAnalyzer(cast(Any, Rows({"x": [0.0, 0.0, 0.0]})), _log_head(SENTIMENTS), version="f")
    with pytest.raises(ValueError, match="sentiment: the fast head's share must be in"):
        accurate_classifier(model, "sentiment", fast)


def test_a_category_head_tuned_on_a_few_examples_reads_mostly_with_the_fast_head(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(WITH_FAST, "category", 0.3)
    monkeypatch.setitem(SMALL_SET_WITH_FAST, "category", (RANDOM_HEAD_MIN_EXAMPLES, 0.9))
    categories = ("Late Flight", "Lost Luggage")
    fast = CategoryAnalyzer(
        cast(Any, Rows({"late again": np.log([0.2, 0.8]).tolist()})), _log_head(categories), version="f"
    )

    def tuned_on(examples: int) -> AccurateModel:
        return _model({"late again": [0.9, 0.1]}, "category", categories, examples)

    few = accurate_classifier(tuned_on(RANDOM_HEAD_MIN_EXAMPLES - 1), "category", fast)
    assert few.version.startswith("minilm-ft-0123456789ab.int8+fast.90")
    assert few.predict(["late again"]) == ["Lost Luggage"]  # 0.1 x 0.9 + 0.9 x 0.2 against 0.73
    (finding,) = few.analyze([MentionFacts("late again")])
    read = ClassifierData.parse(finding.data, analyzer="category").probabilities
    assert read == pytest.approx({"Late Flight": 0.27, "Lost Luggage": 0.73}, abs=1e-5)
    many = accurate_classifier(tuned_on(RANDOM_HEAD_MIN_EXAMPLES), "category", fast)
    assert many.version.startswith("minilm-ft-0123456789ab.int8+fast.30")
    assert many.predict(["late again"]) == ["Late Flight"]  # 0.7 x 0.9 + 0.3 x 0.2 against 0.31
