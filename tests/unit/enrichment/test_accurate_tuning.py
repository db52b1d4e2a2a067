"""Fine-tuning MiniLM on a brand's labels moves its readings the way the labels say.

Real weights (the installed package), real airline tweets read at test time, one short epoch.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ombuds.enrichment.accurate.analyzers import with_accurate
from ombuds.enrichment.accurate.recipe import Recipe
from ombuds.enrichment.accurate.tuning import AccurateModel, Encoder, base_model_dir, fine_tune
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import load_default_engine
from tests.conftest import shared_data

PER_CLASS = 20
HELD_OUT = 10


def _airline() -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """20 training tweets per sentiment; 10 held-out clearly negative and 10 clearly positive."""
    with shared_data("airline_dev.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    training: list[tuple[str, str]] = []
    held: dict[str, list[str]] = {"negative": [], "positive": []}
    for row in rows:
        label = row["airline_sentiment"]
        if sum(found == label for _, found in training) < PER_CLASS:
            training.append((row["text"], label))
        elif label in held and len(held[label]) < HELD_OUT and row["airline_sentiment_confidence"] == "1.0":
            held[label].append(row["text"])
    return training, held["negative"], held["positive"]


@pytest.mark.slow
def test_fine_tuning_reads_held_out_complaints_as_negative(tmp_path: Path) -> None:
    training, negative, positive = _airline()
    model = fine_tune({"sentiment": training}, Recipe(epochs=1, max_tokens=32, threads=2))

    # Before learning the head says nothing (a third each); after, it tells the two apart.
    column = model.heads["sentiment"].classes.index("negative")
    on_negative = model.probabilities("sentiment", negative)[:, column]
    on_positive = model.probabilities("sentiment", positive)[:, column]
    assert on_negative.mean() > 0.5 > on_positive.mean()
    assert on_negative.mean() - on_positive.mean() > 0.3
    predicted = model.predict("sentiment", negative + positive)
    right = sum(p == "negative" for p in predicted[:HELD_OUT]) + sum(
        p == "positive" for p in predicted[HELD_OUT:]
    )
    assert right >= 15, predicted

    # The encoder itself was tuned, not only a head on top of it.
    untuned = Encoder.load(base_model_dir(), max_tokens=32, threads=2).transform(negative[:2])
    assert np.abs(model.encoder.transform(negative[:2]) - untuned).max() > 1e-3

    # Saved and read back, it reads the same; in the engine its findings carry its version.
    loaded = AccurateModel.load(model.save(tmp_path / "model"))
    assert loaded.version == model.version
    np.testing.assert_allclose(
        loaded.probabilities("sentiment", negative), model.probabilities("sentiment", negative), atol=1e-5
    )
    engine = with_accurate(load_default_engine(), loaded)
    surest = negative[int(on_negative.argmax())]
    findings = engine.analyze([MentionFacts(surest)])[0]
    sentiment = next(found for found in findings if found.analyzer == "sentiment")
    assert sentiment.model_version.startswith(model.version)
    assert sentiment.label == "negative"
