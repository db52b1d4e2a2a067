"""The accurate model's recipe arithmetic: warm-up and decay, time left, version ids (pure)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from ombuds.enrichment.accurate.recipe import Progress, Recipe, learning_rate_factor, version_id


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
