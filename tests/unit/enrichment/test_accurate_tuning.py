"""Fine-tuning MiniLM on a brand's labels moves its readings the way the labels say, and its
ONNX export reads what it reads, without torch.

Real weights (the installed package), real airline tweets read at test time, one short epoch,
tuned once for the module.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ombuds.enrichment.accurate.analyzers import with_accurate
from ombuds.enrichment.accurate.export import comparison_texts, export_for_inference
from ombuds.enrichment.accurate.recipe import INT8, KEEPS_QUALITY, ONNX_FLOAT, TORCH, Recipe
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


@pytest.fixture(scope="module")
def tuned() -> AccurateModel:
    training, _, _ = _airline()
    return fine_tune({"sentiment": training}, Recipe(epochs=1, max_tokens=32, threads=2))


@pytest.mark.slow
def test_fine_tuning_reads_held_out_complaints_as_negative(tuned: AccurateModel, tmp_path: Path) -> None:
    _, negative, positive = _airline()
    model = tuned

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

    # Saved and read back (no export: as a folder saved before exports), torch reads it the same;
    # in the engine its findings carry its version.
    loaded = AccurateModel.load(model.save(tmp_path / "model"))
    assert (loaded.version, loaded.reading, loaded.stamp) == (model.version, TORCH, model.version)
    np.testing.assert_allclose(
        loaded.probabilities("sentiment", negative), model.probabilities("sentiment", negative), atol=1e-5
    )
    engine = with_accurate(load_default_engine(), loaded)
    surest = negative[int(on_negative.argmax())]
    findings = engine.analyze([MentionFacts(surest)])[0]
    sentiment = next(found for found in findings if found.analyzer == "sentiment")
    assert sentiment.model_version.startswith(model.version)
    assert sentiment.label == "negative"


@pytest.mark.slow
def test_the_export_reads_the_labels_torch_reads_and_reading_it_needs_no_torch(
    tuned: AccurateModel, tmp_path: Path
) -> None:
    training, negative, positive = _airline()
    # int8 moves a probability by up to ~0.13 (float by rounding only): a tweet torch reads as a
    # near tie may flip, so labels are compared where torch's first two classes are 0.3 apart
    spread = np.sort(tuned.probabilities("sentiment", negative + positive), axis=1)
    held_out = [
        text for text, row in zip(negative + positive, spread, strict=True) if row[-1] - row[-2] > 0.3
    ]
    assert len(held_out) >= 10
    folder = tuned.save(tmp_path / "model")

    export = export_for_inference(folder, [text for text, _ in training], threads=2)

    # The float export reads every training text as torch does; int8 is kept only if it does too.
    assert export.agreements[ONNX_FLOAT] == {"sentiment": 1.0}
    assert export.reading in (INT8, ONNX_FLOAT), export
    assert export.reading != INT8 or export.agreements[INT8]["sentiment"] >= KEEPS_QUALITY[INT8]
    exported = AccurateModel.load(folder)
    assert (exported.reading, exported.stamp) == (export.reading, f"{tuned.version}.{export.reading}")
    # On tweets it never saw, the same labels.
    assert exported.predict("sentiment", held_out) == tuned.predict("sentiment", held_out)
    if export.reading == ONNX_FLOAT:
        np.testing.assert_allclose(
            exported.probabilities("sentiment", held_out),
            tuned.probabilities("sentiment", held_out),
            atol=1e-4,
        )

    # In the engine, every finding says how it was read.
    findings = with_accurate(load_default_engine(), exported).analyze([MentionFacts(negative[0])])[0]
    sentiment = next(found for found in findings if found.analyzer == "sentiment")
    assert sentiment.model_version.startswith(f"{tuned.version}.{export.reading}")

    # A process reading the export loads neither torch nor transformers.
    probe = (
        "import sys; from pathlib import Path; "
        "from ombuds.enrichment.accurate.tuning import AccurateModel; "
        f"model = AccurateModel.load(Path({str(folder)!r})); "
        f"print(model.predict('sentiment', {held_out[:3]!r})); "
        "print(sorted(name for name in ('torch', 'transformers') if name in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == [str(tuned.predict("sentiment", held_out[:3])), "[]"], run.stderr


def test_exports_are_compared_on_unseen_texts_first_then_on_examples_spread_evenly() -> None:
    unseen = ["late again", "late again", "bag lost"]
    examples = [f"example {number}" for number in range(10)] + ["bag lost"]
    assert comparison_texts(unseen, examples, at_most=5) == [
        "late again",
        "bag lost",
        "example 0",
        "example 3",
        "example 6",
    ]
    assert comparison_texts([], ["a", "b"], at_most=5) == ["a", "b"]
