"""The accurate model's recipe arithmetic: warm-up and decay, time left, version ids, and which
export reads it (pure)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from ombuds.enrichment.accurate.recipe import (
    INT8,
    ONNX_FLOAT,
    TORCH,
    Progress,
    Recipe,
    agreement,
    choose_reading,
    learning_rate_factor,
    reading_version,
    version_id,
)


def test_learning_rate_warms_up_then_decays_to_zero() -> None:
    factors = [learning_rate_factor(step, 10, 2) for step in range(10)]
    assert factors[:2] == [0.5, 1.0]
    assert factors[2] == 1.0
    assert factors[-1] == pytest.approx(1 / 8)
    assert all(later < earlier for earlier, later in itertools.pairwise(factors[2:]))
    assert learning_rate_factor(10, 10, 2) == 0.0


def test_time_left_is_the_pace_so_far_times_the_steps_left() -> None:
    assert Progress(0, 10, 0.0).seconds_left is None
    assert Progress(4, 10, 8.0).seconds_left == pytest.approx(12.0)
    assert Progress(10, 10, 20.0).seconds_left == 0.0


def test_a_version_names_recipe_data_and_time() -> None:
    when = datetime(2026, 12, 2, tzinfo=UTC)
    rows = {"sentiment": [("late again", "negative"), ("thanks!", "positive")]}
    first = version_id(Recipe(), rows, when)
    assert first.startswith("minilm-ft-")
    assert len(first) == len("minilm-ft-") + 12
    assert version_id(Recipe(), rows, when) == first
    assert version_id(Recipe(epochs=1), rows, when) != first
    assert version_id(Recipe(), {"sentiment": rows["sentiment"][:1]}, when) != first
    assert version_id(Recipe(), rows, datetime(2026, 12, 3, tzinfo=UTC)) != first


def test_a_recipe_refuses_settings_it_cannot_train_with() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Recipe(batch_size=0)


def test_agreement_is_the_share_of_the_same_labels() -> None:
    assert agreement(["negative", "positive", "neutral", "negative"], ["negative"] * 4) == 0.5
    assert agreement([], []) == 1.0
    with pytest.raises(ValueError, match="2 labels against 1"):
        agreement(["a", "b"], ["a"])


def test_int8_reads_only_where_every_head_keeps_the_trained_labels() -> None:
    both_keep = {
        INT8: {"sentiment": 0.995, "category": 0.99},
        ONNX_FLOAT: {"sentiment": 1.0, "category": 1.0},
    }
    assert choose_reading(both_keep) == INT8
    # one head's labels moved on 2 % of the texts: the float export reads instead
    one_moved = {
        INT8: {"sentiment": 0.995, "category": 0.98},
        ONNX_FLOAT: {"sentiment": 1.0, "category": 1.0},
    }
    assert choose_reading(one_moved) == ONNX_FLOAT
    # neither export reads as trained (a broken export): torch goes on reading
    assert choose_reading({INT8: {"sentiment": 0.5}, ONNX_FLOAT: {"sentiment": 0.9}}) == TORCH
    assert choose_reading({}) == TORCH


def test_the_version_on_rows_says_how_the_model_was_read() -> None:
    assert reading_version("minilm-ft-0123456789ab", INT8) == "minilm-ft-0123456789ab.int8"
    assert reading_version("minilm-ft-0123456789ab", ONNX_FLOAT) == "minilm-ft-0123456789ab.onnx"
    assert reading_version("minilm-ft-0123456789ab", TORCH) == "minilm-ft-0123456789ab"
