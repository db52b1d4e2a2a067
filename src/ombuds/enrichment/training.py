"""Turning labelled text into models: reading labelled CSV files and fitting linear heads.

Shared by the build script, ``ombuds eval`` and ``ombuds train`` so that all three learn the
same way. Pure apart from reading the CSV file it is given.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from ombuds.enrichment.features import TextFeaturizer
from ombuds.enrichment.linear import LinearModel
from ombuds.enrichment.offsets import tune_offsets

# Each category name counts as this many examples of itself (see CategoryAnalyzer).
CATEGORY_NAME_WEIGHT = 3.0
# Inverse regularisation strengths, chosen by 3-fold cross-validation inside the learning part of
# the internal airline split (docs/analysis.md); never on a split that is reported.
SENTIMENT_C = 2.0
CATEGORY_C = 1.0
# How much the distilled sentence vector counts beside the TF-IDF blocks. With 16 examples per
# category it lifted macro-F1 from 0.36 to 0.44 (messages that share no word with an example
# still share its direction); sentiment gives it a quarter of the weight (+1 point there). Both
# weights were chosen by cross-validation with the projection distilled without the scored texts.
EMBEDDING_WEIGHT = 0.5
SENTIMENT_EMBEDDING_WEIGHT = 0.25
# With few examples per category (fewer than OFFSET_MIN_EXAMPLES) and unlabelled texts at hand,
# one round of self-training: the model labels those texts and learns again with its surest
# third added, each counting SELF_TRAINING_WEIGHT of a real example (+2 points at 16 per class).
SELF_TRAINING_SHARE = 1 / 3
SELF_TRAINING_WEIGHT = 0.3
SELF_TRAINING_MIN_TEXTS = 50
# Category decision offsets are tuned (3-fold, inside the training examples) only with enough
# examples: every class at least OFFSET_MIN_EXAMPLES and OFFSET_MIN_TOTAL in all. With 16, 32 or
# 64 per class (mean of seeds inside the learning part) they cost 1.7, 1.0 and 0.2 points of
# macro-F1; with all 4,164 rows they gained 1 point in cross-validation (docs/analysis.md).
OFFSET_MIN_EXAMPLES = 30
OFFSET_MIN_TOTAL = 2_000
OFFSET_FOLDS = 3


class DataError(ValueError):
    """Labelled data that cannot be used, with what and where."""


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]
    labels: list[str]
    source: str = ""

    def __len__(self) -> int:
        return len(self.texts)

    def classes(self) -> list[str]:
        return sorted(set(self.labels))

    def without(self, excluded: Sequence[str]) -> TrainingSet:
        keep = [i for i, label in enumerate(self.labels) if label not in excluded]
        return TrainingSet([self.texts[i] for i in keep], [self.labels[i] for i in keep], self.source)

    def shots(self, k: int, *, seed: int) -> tuple[TrainingSet, list[str]]:
        """At most ``k`` examples per class, the same ones for the same seed, and the texts of
        the other rows (their labels unread: what a brand with few examples has plenty of)."""
        rng = random.Random(seed)
        chosen: list[int] = []
        for label in self.classes():
            indices = [i for i, found in enumerate(self.labels) if found == label]
            rng.shuffle(indices)
            chosen.extend(indices[:k])
        chosen.sort()
        taken = set(chosen)
        rest = [text for i, text in enumerate(self.texts) if i not in taken]
        return (
            TrainingSet([self.texts[i] for i in chosen], [self.labels[i] for i in chosen], self.source),
            rest,
        )


def read_labeled_csv(path: Path, *, text_col: str, label_col: str) -> TrainingSet:
    """Rows with a text and a non-empty label; rows with an empty label are skipped."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        if not header:
            raise DataError(f"{path}: the file is empty (no header row)")
        for column in (text_col, label_col):
            if column not in header:
                raise DataError(f"{path}: no column {column!r} (columns: {', '.join(header)})")
        texts: list[str] = []
        labels: list[str] = []
        for row in reader:
            label = (row.get(label_col) or "").strip()
            if label:
                texts.append(row.get(text_col) or "")
                labels.append(label)
    if not texts:
        raise DataError(f"{path}: no rows with a label in column {label_col!r}")
    return TrainingSet(texts, labels, path.name)


def fit_featurizer(texts: Sequence[str]) -> TextFeaturizer:
    return TextFeaturizer.fit(texts, min_df=2)


def fit_sentiment(
    featurizer: TextFeaturizer, training: TrainingSet, *, guessed: TrainingSet | None = None
) -> LinearModel:
    """The sentiment head as shipped and as ``ombuds eval sentiment`` trains it; ``guessed``
    rows (a teacher's labels on unlabelled texts) count SELF_TRAINING_WEIGHT each."""
    return fit_linear(
        featurizer, training, c=SENTIMENT_C, embedding_weight=SENTIMENT_EMBEDDING_WEIGHT, guessed=guessed
    )


def fit_category(
    featurizer: TextFeaturizer,
    training: TrainingSet,
    *,
    offsets: bool = True,
    unlabelled: Sequence[str] = (),
) -> LinearModel:
    """A category head: the brand's own taxonomy, category names counted as examples.

    With few examples per class, ``unlabelled`` texts of the same kind (the brand's complaints,
    the unlabelled rest of a file) serve for one round of self-training. With enough examples
    per class, per-class offsets chosen by cross-validation inside the examples are added to the
    intercepts instead, so small categories are not swallowed by big ones.
    """
    model = fit_linear(featurizer, training, c=CATEGORY_C, name_weight=CATEGORY_NAME_WEIGHT)
    counts = [training.labels.count(label) for label in training.classes()]
    if min(counts) < OFFSET_MIN_EXAMPLES:
        if len(unlabelled) < SELF_TRAINING_MIN_TEXTS:
            return model
        return _self_trained(featurizer, training, model, unlabelled)
    if not offsets or len(training) < OFFSET_MIN_TOTAL:
        return model
    shift = _cross_validated_offsets(featurizer, training, model.classes)
    return LinearModel(model.classes, model.coef, model.intercept + shift)


def _self_trained(
    featurizer: TextFeaturizer, training: TrainingSet, model: LinearModel, unlabelled: Sequence[str]
) -> LinearModel:
    probabilities = model.probabilities(featurizer.transform(unlabelled))
    surest = np.argsort(-probabilities.max(axis=1), kind="stable")[
        : int(len(unlabelled) * SELF_TRAINING_SHARE)
    ]
    guessed = TrainingSet(
        [unlabelled[i] for i in surest],
        [model.classes[i] for i in probabilities[surest].argmax(axis=1)],
        "self-training",
    )
    return fit_linear(
        featurizer,
        training,
        c=CATEGORY_C,
        name_weight=CATEGORY_NAME_WEIGHT,
        guessed=guessed,
    )


def _cross_validated_offsets(
    featurizer: TextFeaturizer, training: TrainingSet, classes: tuple[str, ...]
) -> np.ndarray:
    """Offsets tuned on out-of-fold log-probabilities of models fitted the same way."""
    from sklearn.model_selection import StratifiedKFold  # here: every command imports this module

    labels = np.asarray(training.labels)
    truth = np.searchsorted(np.asarray(classes), labels)
    features = featurizer.transform(training.texts)
    scores = np.zeros((len(labels), len(classes)))
    folds = StratifiedKFold(OFFSET_FOLDS, shuffle=True, random_state=0)
    for learn, held in folds.split(np.zeros(len(labels)), labels):
        part = TrainingSet([training.texts[i] for i in learn], labels[learn].tolist(), training.source)
        fold_model = fit_linear(featurizer, part, c=CATEGORY_C, name_weight=CATEGORY_NAME_WEIGHT)
        scores[held] = np.log(np.maximum(fold_model.probabilities(features[held]), 1e-12))
    return tune_offsets(scores, truth)


def fit_linear(
    featurizer: TextFeaturizer,
    training: TrainingSet,
    *,
    c: float = 4.0,
    balanced: bool = True,
    name_weight: float = 0.0,
    embedding_weight: float = EMBEDDING_WEIGHT,
    guessed: TrainingSet | None = None,
) -> LinearModel:
    """Multinomial logistic regression on the featurizer's features.

    With ``name_weight`` each class name joins the examples with that weight: a category with
    few examples still knows its own words. ``guessed`` examples (self-training) count
    SELF_TRAINING_WEIGHT each. The sentence vector's columns are scaled by ``embedding_weight``
    while fitting and the scale is folded into the weights, so the model applies to plain features.
    """
    if len(training.classes()) < 2:
        raise DataError(f"{training.source}: the label column has only one class; need at least two")
    texts = list(training.texts)
    labels = list(training.labels)
    weights = [1.0] * len(texts)
    if name_weight > 0:
        names = training.classes()
        texts.extend(name.replace("_", " ") for name in names)
        labels.extend(names)
        weights.extend([name_weight] * len(names))
    if guessed is not None:
        texts.extend(guessed.texts)
        labels.extend(guessed.labels)
        weights.extend([SELF_TRAINING_WEIGHT] * len(guessed))
    scale = np.ones(featurizer.size, dtype=np.float32)
    scale[featurizer.sparse_size :] = embedding_weight
    features = featurizer.transform(texts) @ sparse.diags(scale)
    # Imported here: scikit-learn takes seconds to load, and every command imports this module
    # (through corrections) while only training fits anything.
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(
        C=c, max_iter=3000, class_weight="balanced" if balanced else None, tol=1e-5
    )
    classifier.fit(features, labels, sample_weight=np.asarray(weights))
    classes = tuple(str(name) for name in classifier.classes_)
    coef = classifier.coef_.astype(np.float32) * scale
    intercept = classifier.intercept_.astype(np.float32)
    if len(classes) == 2:
        # Two classes come back as one logit; softmax over (0, logit) gives the same probabilities.
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros_like(intercept), intercept])
    return LinearModel(classes, coef, intercept)
