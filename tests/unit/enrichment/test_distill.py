"""Distillation: a projection of word TF-IDF learns which words an encoder treats alike."""

from __future__ import annotations

import itertools
import random

import numpy as np

from ombuds.enrichment.features import TextFeaturizer
from ombuds_lab.enrichment.distill import agreement, distill_projection, principal_targets

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
