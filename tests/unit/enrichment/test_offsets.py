"""Decision offsets: a small category swallowed by a big one gets its messages back."""

from __future__ import annotations

import numpy as np

from ombuds.enrichment.offsets import macro_f1, tune_offsets


def test_macro_f1_weighs_every_class_alike() -> None:
    truth = np.array([0, 0, 0, 1])
    assert macro_f1(truth, truth, 2) == 1.0
    assert macro_f1(truth, np.array([0, 0, 0, 0]), 2) == (6 / 7) / 2


def test_offsets_give_a_small_class_its_messages_back() -> None:
    # The model ranks the rare "damaged luggage" messages second: argmax never picks them.
    rng = np.random.default_rng(0)
    truth = np.array([0] * 90 + [1] * 10)
    scores = np.log(np.full((100, 2), 0.5))
    scores[:90, 0] += 0.8 + rng.normal(0, 0.1, 90)
    scores[90:, 0] += 0.3 + rng.normal(0, 0.1, 10)
    before = macro_f1(truth, scores.argmax(axis=1), 2)
    offsets = tune_offsets(scores, truth)
    after = macro_f1(truth, (scores + offsets).argmax(axis=1), 2)
    assert before < 0.5 < 0.9 < after


def test_a_model_that_is_already_right_keeps_zero_offsets() -> None:
    truth = np.array([0, 1, 2, 0, 1, 2])
    scores = np.log(np.eye(3)[truth] * 0.8 + 0.1)
    assert not tune_offsets(scores, truth).any()
