"""Distillation: a projection of word TF-IDF learns which words an encoder treats alike."""

from __future__ import annotations

import itertools
import random

import numpy as np

from ombuds.enrichment.features import TextFeaturizer
from ombuds_lab.enrichment.distill import (
    agreement,
    distill_projection,
    principal_targets,
    teacher_labels,
    teacher_targets,
)

TOPICS = {
    "delay": ["delayed", "late", "waiting", "stuck", "tarmac"],
    "bags": ["luggage", "suitcase", "bag", "baggage", "carousel"],
    "booking": ["website", "booking", "reservation", "fare", "checkout"],
}
FILLER = ["my", "the", "again", "today", "flight", "please", "why", "so"]


def corpus_and_teacher(count: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Texts of one topic each; the 'encoder' gives every topic its own direction plus noise."""
    rng = random.Random(seed)
    directions = np.random.default_rng(seed).standard_normal((len(TOPICS), 24))
    texts, vectors = [], []
    for _ in range(count):
        index = rng.randrange(len(TOPICS))
        words = rng.sample(list(TOPICS.values())[index], 2) + rng.sample(FILLER, 3)
        rng.shuffle(words)
        texts.append(" ".join(words))
        vectors.append(directions[index] + 0.1 * np.random.default_rng(len(texts)).standard_normal(24))
    return texts, np.asarray(vectors, dtype=np.float32)


def test_words_never_seen_together_land_close_when_the_encoder_says_they_are_alike() -> None:
    texts, teacher = corpus_and_teacher(3000)
    featurizer = TextFeaturizer.fit(texts, min_df=1)
    words = featurizer.transform(texts)[:, : featurizer.words.size].tocsr()
    targets = principal_targets(teacher, 8)
    projection = distill_projection(words, targets, epochs=10)
    assert agreement(words, projection, targets) > 0.9
    distilled = featurizer.with_projection(projection)

    def vector(text: str) -> np.ndarray:
        return distilled.sentence_vectors(distilled.transform([text]))[0]

    # Messages that share no word: alike when their words are alike to the encoder.
    same = float(vector("my delayed flight") @ vector("stuck on the tarmac"))
    other = float(vector("my delayed flight") @ vector("lost luggage"))
    assert same > 0.8
    assert other < 0.3
    for left, right in itertools.combinations(TOPICS["bags"], 2):
        assert float(vector(left) @ vector(right)) > 0.7


def test_distillation_is_deterministic_for_a_seed() -> None:
    texts, teacher = corpus_and_teacher(400)
    featurizer = TextFeaturizer.fit(texts, min_df=1)
    words = featurizer.transform(texts)[:, : featurizer.words.size].tocsr()
    targets = principal_targets(teacher, 4)
    first = distill_projection(words, targets, epochs=1, seed=3)
    again = distill_projection(words, targets, epochs=1, seed=3)
    assert np.array_equal(first, again)


def test_the_projection_travels_with_the_featurizer_arrays() -> None:
    texts, teacher = corpus_and_teacher(300)
    featurizer = TextFeaturizer.fit(texts, min_df=1)
    words = featurizer.transform(texts)[:, : featurizer.words.size].tocsr()
    distilled = featurizer.with_projection(distill_projection(words, principal_targets(teacher, 4), epochs=1))
    restored = TextFeaturizer.from_arrays(distilled.arrays("features/"), "features/")
    assert restored.size == distilled.size == featurizer.size + 4
    rows = restored.transform(["my bag again", ""])
    assert rows.shape == (2, restored.size)
    norms = np.linalg.norm(restored.sentence_vectors(rows), axis=1)
    assert abs(norms[0] - 1) < 1e-3
    assert norms[1] == 0


def test_a_tuned_teachers_head_probabilities_become_directions_to_fit() -> None:
    """Texts the teacher's head tells apart get targets apart, even where its vectors do not."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((600, 24)).astype(np.float32)  # no class in the vectors
    labels = rng.integers(0, 3, 600)
    probabilities = np.full((600, 3), 0.05, dtype=np.float32)
    probabilities[np.arange(600), labels] = 0.9

    def same_minus_other(targets: np.ndarray) -> float:
        cosines = targets @ targets.T
        same = labels[:, None] == labels[None, :]
        return float(cosines[same].mean() - cosines[~same].mean())

    plain = teacher_targets(vectors, [probabilities], dimensions=8, weight=0.0)
    weighted = teacher_targets(vectors, [probabilities], dimensions=8, weight=1.0)
    assert plain.shape == weighted.shape == (600, 8)
    assert np.allclose(np.linalg.norm(weighted, axis=1), 1, atol=1e-5)
    assert np.array_equal(plain, principal_targets(vectors, 8))
    assert abs(same_minus_other(plain)) < 0.05
    assert same_minus_other(weighted) > 0.3


def test_the_teacher_lends_its_surest_labels_only() -> None:
    texts = ["awful delay", "meh", "love it", "fine i guess", "worst ever", "great crew"]
    probabilities = np.array(
        [
            [0.9, 0.05, 0.05],
            [0.4, 0.35, 0.25],
            [0.02, 0.08, 0.9],
            [0.3, 0.4, 0.3],
            [0.95, 0.03, 0.02],
            [0.1, 0.1, 0.8],
        ],
        dtype=np.float32,
    )
    chosen, labels = teacher_labels(texts, probabilities, ["negative", "neutral", "positive"], share=0.5)
    assert chosen == ["worst ever", "awful delay", "love it"]
    assert labels == ["negative", "negative", "positive"]
