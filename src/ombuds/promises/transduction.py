"""Assigning a whole batch of messages to promises, learning from the batch itself.

Used where many messages are at hand at once (evaluation, a backfill): one message alone is
a weak match to a one-sentence promise, but a batch shows which words go with which promise.

Zero-shot (promise text alone): similarity to each promise is standardised per promise (so a
promise written in grand words does not win everything); the messages that fit one promise
clearly better than any other become seeds; a classifier on the batch's own words and sentence
vectors learns from them; the class shares are re-estimated from its posteriors (EM on the
priors, Saerens et al. 2002) and the seeds grow each round. No label is read.

With labelled examples: a logistic regression on the same features plus the similarities, with
per-promise offsets tuned by cross-validation inside the examples.
Pure: numbers and texts in, assignments out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ombuds.enrichment.offsets import tune_offsets
from ombuds.enrichment.training import OFFSET_FOLDS, OFFSET_MIN_EXAMPLES, OFFSET_MIN_TOTAL
from ombuds.promises.encoder import FloatArray, clean_text

IntArray = npt.NDArray[np.int64]

SEED_FRACTION = 0.02
ROUNDS = 4
GROWTH = 2.0


def standardize(scores: FloatArray) -> FloatArray:
    """Each promise's similarities as z-scores over the batch."""
    spread = scores.std(axis=0, keepdims=True)
    result: FloatArray = ((scores - scores.mean(axis=0, keepdims=True)) / np.maximum(spread, 1e-9)).astype(
        np.float32
    )
    return result


def _features(
    texts: Sequence[str], vectors: FloatArray, vectorizer: TfidfVectorizer | None = None
) -> tuple[sparse.csr_matrix, TfidfVectorizer]:
    cleaned = [clean_text(text).lower() for text in texts]
    if vectorizer is None:
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"[a-z][a-z']+"
        )
        words = vectorizer.fit_transform(cleaned)
    else:
        words = vectorizer.transform(cleaned)
    return sparse.hstack([words, sparse.csr_matrix(vectors)]).tocsr(), vectorizer


def _reestimate_priors(probabilities: FloatArray, iterations: int = 20) -> FloatArray:
    """Posteriors adjusted to the class shares they imply (EM on the priors)."""
    classes = probabilities.shape[1]
    priors = np.full(classes, 1.0 / classes)
    adjusted = probabilities
    for _ in range(iterations):
        adjusted = probabilities * priors
        adjusted = adjusted / np.maximum(adjusted.sum(axis=1, keepdims=True), 1e-12)
        priors = adjusted.mean(axis=0)
    return adjusted.astype(np.float32)


def assign_zero_shot(
    texts: Sequence[str], vectors: FloatArray, promise_matrix: FloatArray, *, rounds: int = ROUNDS
) -> tuple[IntArray, FloatArray]:
    """The promise each message speaks to (index) and the posterior per promise."""
    count, classes = len(texts), promise_matrix.shape[0]
    score = standardize(vectors @ promise_matrix.T)
    if count < 4 * classes or rounds == 0:
        exp = np.exp(score - score.max(axis=1, keepdims=True))
        return score.argmax(axis=1).astype(np.int64), (exp / exp.sum(axis=1, keepdims=True)).astype(
            np.float32
        )
    features, _ = _features(texts, vectors)
    seeds = max(3, int(count * SEED_FRACTION))
    posterior = score
    for _ in range(rounds):
        chosen: list[int] = []
        targets: list[int] = []
        for column in range(classes):
            others = np.max(np.delete(score, column, axis=1), axis=1)
            top = np.argsort(-(score[:, column] - others))[:seeds]
            chosen.extend(int(i) for i in top)
            targets.extend([column] * len(top))
        model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
        model.fit(features[np.asarray(chosen)], np.asarray(targets))
        probabilities = np.full((count, classes), 1e-6, dtype=np.float32)
        probabilities[:, model.classes_] = model.predict_proba(features)
        posterior = _reestimate_priors(probabilities)
        score = np.log(posterior + 1e-9).astype(np.float32)
        seeds = min(count // classes, int(seeds * GROWTH))
    return posterior.argmax(axis=1).astype(np.int64), posterior


def assign_supervised(
    train_texts: Sequence[str],
    train_vectors: FloatArray,
    train_targets: IntArray,
    texts: Sequence[str],
    vectors: FloatArray,
    promise_matrix: FloatArray,
) -> tuple[IntArray, FloatArray]:
    """Learn from labelled messages; the promise similarities are features too.

    With enough examples per promise, per-promise offsets tuned on out-of-fold predictions inside
    the examples (as the category engine does) keep rare promises from being swallowed.
    """
    classes = promise_matrix.shape[0]
    train_features, vectorizer = _features(train_texts, train_vectors)
    test_features, _ = _features(texts, vectors, vectorizer)
    train_all = sparse.hstack([train_features, sparse.csr_matrix(train_vectors @ promise_matrix.T)]).tocsr()
    test_all = sparse.hstack([test_features, sparse.csr_matrix(vectors @ promise_matrix.T)]).tocsr()
    log_probabilities = _log_probabilities(_supervised_model(train_all, train_targets), test_all, classes)
    counts = np.bincount(train_targets, minlength=classes)
    if counts.min() >= OFFSET_MIN_EXAMPLES and len(train_targets) >= OFFSET_MIN_TOTAL:
        log_probabilities = log_probabilities + _cross_validated_offsets(train_all, train_targets, classes)
    probabilities = np.exp(log_probabilities).astype(np.float32)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return log_probabilities.argmax(axis=1).astype(np.int64), probabilities


def _supervised_model(features: sparse.csr_matrix, targets: IntArray) -> LogisticRegression:
    return LogisticRegression(C=4.0, max_iter=4000, class_weight="balanced").fit(features, targets)


def _log_probabilities(model: LogisticRegression, features: sparse.csr_matrix, classes: int) -> FloatArray:
    probabilities = np.full((features.shape[0], classes), 1e-6, dtype=np.float64)
    probabilities[:, model.classes_] = model.predict_proba(features)
    return np.log(np.maximum(probabilities, 1e-12))


def _cross_validated_offsets(features: sparse.csr_matrix, targets: IntArray, classes: int) -> FloatArray:
    scores = np.zeros((len(targets), classes))
    folds = StratifiedKFold(OFFSET_FOLDS, shuffle=True, random_state=0)
    for learn, held in folds.split(np.zeros(len(targets)), targets):
        scores[held] = _log_probabilities(
            _supervised_model(features[learn], targets[learn]), features[held], classes
        )
    return tune_offsets(scores, targets).astype(np.float64)
