"""``ombuds eval``: train a head on one labelled file, score it on another, time the full path.

The model is trained the way ``ombuds train`` trains brand models, swapped into the engine the
pipeline uses, and the test set runs through that whole engine (every analyzer), so the
reported ``messages_per_second`` is what the app would do with these messages.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from ombuds.enrichment.analyzers.category import CategoryAnalyzer
from ombuds.enrichment.analyzers.sentiment import SentimentAnalyzer
from ombuds.enrichment.analyzers.text_classifier import TextClassifier
from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import AnalysisEngine, load_default_engine
from ombuds.enrichment.training import DataError, TrainingSet, fit_category, fit_sentiment, read_labeled_csv

BATCH_SIZE = 500
# Labels that mean "the annotator could not decide" are skipped like empty ones.
UNDECIDED_LABELS = ("Can't Tell",)


@dataclass(frozen=True)
class EvalRequest:
    analyzer: str  # "sentiment" or "category"
    train: Path | None  # None: score the engine's own head, as shipped
    test: Path
    text_col: str
    label_col: str
    shots: int | None = None
    seed: int = 0
    exclude: Sequence[str] = ()
    model: str = "fast"  # "accurate": fine-tune MiniLM on --train (ombuds.enrichment.accurate)
    epochs: int | None = None  # accurate only; None: as the recipe decides


def evaluate(request: EvalRequest, engine: AnalysisEngine | None = None) -> dict[str, Any]:
    """Metrics as the contract of ``ombuds eval`` lists them; raises DataError on unusable files."""
    base = engine or load_default_engine()
    if request.train is None:
        return _evaluate_shipped(request, base)
    training = read_labeled_csv(request.train, text_col=request.text_col, label_col=request.label_col)
    testing = read_labeled_csv(request.test, text_col=request.text_col, label_col=request.label_col)
    training = training.without(request.exclude)
    testing = testing.without(request.exclude)
    unlabelled: list[str] = []
    if request.shots is not None:
        if request.shots < 1:
            raise DataError(f"--shots must be at least 1, got {request.shots}")
        training, unlabelled = training.shots(request.shots, seed=request.seed)
    for found, path in ((training, request.train), (testing, request.test)):
        if not found.texts:
            raise DataError(f"{path}: no rows left with a label in column {request.label_col!r}")
    if len(training.classes()) < 2:
        raise DataError(
            f"{request.train}: column {request.label_col!r} has only one class "
            f"({training.classes()[0]!r}); need at least two"
        )
    extra: dict[str, Any] = {}
    if request.model == "accurate":
        started = time.perf_counter()
        # the fast head too: the accurate reading may average it in (accurate.recipe.WITH_FAST)
        fast = _train(request.analyzer, base, training, unlabelled)
        classifier = _train_accurate(request, training, fast)
        extra = {"training_seconds": round(time.perf_counter() - started, 1), "model": "accurate"}
    else:
        classifier = _train(request.analyzer, base, training, unlabelled)
    swapped = base.replace(classifier)
    predicted, seconds = _run(swapped, request.analyzer, testing.texts)
    return (
        classification_scores(testing.labels, predicted)
        | extra
        | {
            "n_train": len(training),
            "n_test": len(testing),
            "messages_per_second": round(len(testing) / seconds, 1) if seconds > 0 else None,
            "classes": training.classes(),
            "excluded_labels": list(request.exclude),
            "shots": request.shots,
            "n_unlabelled": len(unlabelled),
            "seed": request.seed if request.shots is not None else None,
            "analyzers": sorted(swapped.versions),
        }
    )


def _evaluate_shipped(request: EvalRequest, engine: AnalysisEngine) -> dict[str, Any]:
    """The engine's own head on the test file: what a desk gets before it teaches anything."""
    testing = read_labeled_csv(request.test, text_col=request.text_col, label_col=request.label_col)
    testing = testing.without(request.exclude)
    if not testing.texts:
        raise DataError(f"{request.test}: no rows with a label in column {request.label_col!r}")
    predicted, seconds = _run(engine, request.analyzer, testing.texts)
    return classification_scores(testing.labels, predicted) | {
        "n_train": 0,
        "n_test": len(testing),
        "messages_per_second": round(len(testing) / seconds, 1) if seconds > 0 else None,
        "shipped": True,
        "analyzers": sorted(engine.versions),
    }


def _train(
    analyzer: str, engine: AnalysisEngine, training: TrainingSet, unlabelled: Sequence[str]
) -> TextClassifier:
    version = f"eval-{training.source}"
    if analyzer == "sentiment":
        return SentimentAnalyzer(
            engine.featurizer, fit_sentiment(engine.featurizer, training), version=version
        )
    model = fit_category(engine.featurizer, training, unlabelled=unlabelled)
    return CategoryAnalyzer(engine.featurizer, model, version=version)


def _train_accurate(request: EvalRequest, training: TrainingSet, fast: TextClassifier) -> TextClassifier:
    """MiniLM fine-tuned on the training rows, saved and exported as ``ombuds train --accurate``
    does a brand's, and read back as the pipeline reads it (ONNX, int8 where it keeps the labels)."""
    import tempfile

    from ombuds.enrichment.accurate.analyzers import accurate_classifier
    from ombuds.enrichment.accurate.export import export_for_inference
    from ombuds.enrichment.accurate.recipe import Recipe
    from ombuds.enrichment.accurate.tuning import AccurateModel, fine_tune
    from ombuds.settings import get_settings

    threads = get_settings().accurate_threads
    recipe = Recipe(epochs=request.epochs, threads=threads)
    rows = list(zip(training.texts, training.labels, strict=True))
    tuned = fine_tune({request.analyzer: rows}, recipe)
    with tempfile.TemporaryDirectory(prefix="ombuds-eval-") as scratch:
        folder = tuned.save(Path(scratch) / tuned.version)
        export_for_inference(folder, training.texts, threads=threads)
        # the ONNX session holds its weights in memory: the folder may go once it is loaded
        return accurate_classifier(AccurateModel.load(folder, threads=threads), request.analyzer, fast)


def _run(engine: AnalysisEngine, analyzer: str, texts: Sequence[str]) -> tuple[list[str], float]:
    """Predictions of one analyzer, and the wall time of the whole engine over all texts."""
    batch = [MentionFacts(text) for text in texts]
    engine.analyze(batch[:10])  # load lazily-built parts before the clock starts
    predicted: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(batch), BATCH_SIZE):
        for findings in engine.analyze(batch[start : start + BATCH_SIZE]):
            found = next(f for f in findings if f.analyzer == analyzer)
            predicted.append(found.label or "")
    return predicted, time.perf_counter() - started


def classification_scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, and precision, recall and F1 per class of the test set with their mean.

    The classes are the test set's own: a reading that names none of them (no category, for a
    lost thing reported found) costs its class recall, but is not a class of its own whose F1 of
    0 would lower the mean a second time.
    """
    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    per_class = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
        "per_class": per_class,
    }
