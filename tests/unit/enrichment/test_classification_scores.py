"""The figures `ombuds eval` reports: macro-F1 is the mean over the test set's own classes."""

from __future__ import annotations

import pytest

from ombuds_lab.enrichment.evaluate import classification_scores


def test_a_reading_that_names_no_class_costs_recall_but_is_not_a_class_of_its_own() -> None:
    truth = ["Lost Luggage", "Lost Luggage", "Late Flight", "Late Flight"]
    # one complaint read as "no category" (a lost bag reported found): Lost Luggage recall 1/2
    scores = classification_scores(truth, ["Lost Luggage", "", "Late Flight", "Late Flight"])
    assert set(scores["per_class"]) == {"Lost Luggage", "Late Flight"}
    assert scores["per_class"]["Lost Luggage"]["recall"] == 0.5
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 1.0) / 2, abs=1e-4)
    assert scores["accuracy"] == 0.75


def test_a_class_of_the_test_set_never_predicted_counts_zero() -> None:
    scores = classification_scores(["a", "b", "b"], ["b", "b", "b"])
    assert scores["per_class"]["a"]["f1"] == 0.0
    assert scores["macro_f1"] == pytest.approx((0 + 0.8) / 2, abs=1e-4)
