"""The accurate model's recipe arithmetic: warm-up and decay, time left, version ids, and which
export reads it (pure)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import pytest

from ombuds.enrichment.accurate.recipe import (
    INT8,
    ONNX_FLOAT,
    TORCH,
    Progress,
    Recipe,
    agreement,
    balanced_weights,
    choose_reading,
    learning_rate_factor,
    length_batches,
    reading_passes,
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
        INT8: {"sentiment": 1.0, "category": 0.999},
        ONNX_FLOAT: {"sentiment": 1.0, "category": 1.0},
    }
    assert choose_reading(both_keep) == INT8
    # one head's labels moved on 5 texts of 1,000: the close calls, where macro-F1 is decided
    one_moved = {
        INT8: {"sentiment": 1.0, "category": 0.995},
        ONNX_FLOAT: {"sentiment": 1.0, "category": 1.0},
    }
    assert choose_reading(one_moved) == ONNX_FLOAT
    # float may differ on a text or two (fused kernels) and still reads
    assert choose_reading({INT8: {"sentiment": 0.98}, ONNX_FLOAT: {"sentiment": 0.995}}) == ONNX_FLOAT
    # neither export reads as trained (a broken export): torch goes on reading
    assert choose_reading({INT8: {"sentiment": 0.5}, ONNX_FLOAT: {"sentiment": 0.9}}) == TORCH
    assert choose_reading({}) == TORCH


def test_the_version_on_rows_says_how_the_model_was_read() -> None:
    assert reading_version("minilm-ft-0123456789ab", INT8) == "minilm-ft-0123456789ab.int8"
    assert reading_version("minilm-ft-0123456789ab", ONNX_FLOAT) == "minilm-ft-0123456789ab.onnx"
    assert reading_version("minilm-ft-0123456789ab", TORCH) == "minilm-ft-0123456789ab"


def _padded(lengths: list[int], batches: list[list[int]]) -> int:
    """Tokens a batch computes: its size times its longest text."""
    return sum(len(batch) * max(lengths[index] for index in batch) for batch in batches)


def test_length_batches_take_every_row_once_and_pad_little() -> None:
    draw = random.Random(7)
    lengths = [draw.randint(5, 64) for _ in range(1000)]
    batches = length_batches(lengths, 32, random.Random(0), bucket_batches=10)
    assert sorted(index for batch in batches for index in batch) == list(range(1000))
    assert len(batches) == 32  # ceil(1000 / 32), as plain shuffling gives
    assert sum(len(batch) < 32 for batch in batches) == 1
    # a plain shuffle pads to the longest of 32 random lengths; buckets little more than the text
    order = list(range(1000))
    random.Random(0).shuffle(order)
    shuffled = [order[start : start + 32] for start in range(0, 1000, 32)]
    assert _padded(lengths, batches) < 1.15 * sum(lengths)
    assert _padded(lengths, shuffled) > 1.5 * sum(lengths)


def test_reading_passes_take_every_text_once_shortest_first_and_pad_little() -> None:
    draw = random.Random(11)
    lengths = [draw.randint(3, 64) for _ in range(20)]
    passes = reading_passes(lengths)
    assert [index for rows in passes for index in rows] == sorted(range(20), key=lambda i: lengths[i])
    # one pass padded to the longest of the twenty computes half as many tokens again as the
    # texts hold; passes of about the same length, little more
    assert _padded(lengths, [list(range(20))]) > 1.5 * sum(lengths)
    assert _padded(lengths, passes) < 1.2 * sum(lengths)
    assert len(passes) < 10  # not a pass a text: each pass has a cost of its own


def test_a_reading_pass_holds_at_most_its_limit_and_a_long_text_waits_for_the_next() -> None:
    assert reading_passes([10] * 10, at_most=4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert reading_passes([60, 5, 6, 5]) == [[1, 3, 2], [0]]
    assert reading_passes([]) == []


def test_length_batches_are_the_same_for_a_seed_and_mix_buckets() -> None:
    lengths = [index % 50 + 1 for index in range(640)]
    first = length_batches(lengths, 32, random.Random(3), bucket_batches=4)
    assert length_batches(lengths, 32, random.Random(3), bucket_batches=4) == first
    assert length_batches(lengths, 32, random.Random(4), bucket_batches=4) != first
    # one rng for all epochs: each epoch's batches differ
    shuffler = random.Random(3)
    assert length_batches(lengths, 32, shuffler) != length_batches(lengths, 32, shuffler)
    # the batches are shuffled: not shortest first within a bucket
    shortest = [min(lengths[index] for index in batch) for batch in first]
    assert shortest != sorted(shortest)


def test_a_few_batches_are_shuffled_plainly() -> None:
    lengths = [index % 50 + 1 for index in range(60)]
    order = list(range(60))
    random.Random(5).shuffle(order)
    batches = length_batches(lengths, 32, random.Random(5))
    assert sorted(map(frozenset, batches), key=len) == [frozenset(order[32:]), frozenset(order[:32])]


def test_balanced_weights_give_a_rare_class_as_much_weight_as_a_common_one() -> None:
    targets = [0] * 6 + [1] * 3 + [2] + [-100] * 5  # rows without a label do not count
    weights = balanced_weights(targets, 4)
    assert weights[:3] == pytest.approx([10 / 24, 10 / 12, 10 / 4])
    assert weights[3] == 1.0  # never seen
    assert [weights[label] * count for label, count in ((0, 6), (1, 3), (2, 1))] == pytest.approx(
        [10 / 4] * 3
    )


def test_a_recipe_names_how_heads_start() -> None:
    assert Recipe().starts_at_random(5000)
    assert not Recipe().starts_at_random(60)
    assert not Recipe(head_start="probe").starts_at_random(5000)
    with pytest.raises(ValueError, match="head_start"):
        Recipe(head_start="zeros")


def test_a_recipe_takes_smaller_batches_on_thousands_of_examples_unless_told() -> None:
    assert Recipe().batch_for(5758) == 16
    assert Recipe().batch_for(60) == 32
    assert Recipe(batch_size=8).batch_for(5758) == Recipe(batch_size=8).batch_for(60) == 8


def test_categories_weigh_their_classes_and_sentiment_follows_the_recipe() -> None:
    assert Recipe().weighs_classes("category")  # a rare category counts in macro-F1 as a common one
    assert not Recipe().weighs_classes("sentiment")
    assert Recipe(class_weighted=True).weighs_classes("sentiment")


def test_a_recipe_trains_a_thousand_steps_on_a_few_thousand_examples_within_five_epochs() -> None:
    assert Recipe().epochs_for(60) == 3  # a small set: 32 to a batch, the probe's head
    assert Recipe().epochs_for(5758) == 3  # 360 steps an epoch
    assert Recipe().epochs_for(4164) == 4  # 261 an epoch: the fourth crosses 1,000
    assert Recipe().epochs_for(3133) == 5  # 196 an epoch: five, not six
    assert Recipe().epochs_for(100_000) == 3
    assert Recipe(epochs=1).epochs_for(3133) == 1
    assert Recipe(batch_size=64).epochs_for(5758) == 5  # 90 steps an epoch
    with pytest.raises(ValueError, match="epochs"):
        Recipe(epochs=0)
