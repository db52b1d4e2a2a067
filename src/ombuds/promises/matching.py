"""Which promises a message speaks to: similarity to the promise, sharpened by agents' examples.

Pure: plain values in, plain values out; the encoder is passed in. A promise is written as a
claim ("Our flights leave and arrive on time") while customers write the experience that breaks
it ("2 hour delay so far!"), so each promise is also encoded as its denial ("It is not true that
our flights leave and arrive on time"); the two views are averaged. Examples that agents confirm
or correct are encoded too and act as nearest neighbours: a message close to a corrected example
goes where the agent said, which is how an agent's correction changes later matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from ombuds.promises.encoder import Encoder, FloatArray

#: A message matches a promise when its similarity reaches this (cosine, MiniLM space).
MATCH_THRESHOLD = 0.25
#: A message this close to an agent's example follows that example.
EXAMPLE_THRESHOLD = 0.62
#: Besides the best promise, others within this margin of it also match (one message, two claims).
SECOND_MATCH_MARGIN = 0.03


class Stance(StrEnum):
    """How a customer's experience bears on a promise."""

    CONFIRMS = "confirms"
    CONTRADICTS = "contradicts"
    NEUTRAL = "neutral"


class ExampleKind(StrEnum):
    """What an agent said about a message and a promise."""

    CONFIRMS = "confirms"
    CONTRADICTS = "contradicts"
    UNRELATED = "unrelated"  # the message does not speak to this promise


@dataclass(frozen=True, slots=True)
class PromiseSpec:
    """A promise as the matcher sees it: a stable key and its text."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A message an agent tied to (or took away from) a promise."""

    promise_key: str
    text: str
    kind: ExampleKind


@dataclass(frozen=True, slots=True)
class PromiseCandidate:
    """A promise a message is close to, and how close; stored as a ``PromiseMatch`` once it has a stance."""

    promise_key: str
    score: float
    via_example: bool = False


def promise_views(text: str) -> list[str]:
    """The claim and its denial; complaints sit nearer the denial, praise nearer the claim."""
    claim = text.strip().rstrip(".!")
    lowered = claim[:1].lower() + claim[1:]
    return [claim, f"It is not true that {lowered}"]


def promise_vectors(encoder: Encoder, promises: Sequence[PromiseSpec]) -> FloatArray:
    """One unit vector per promise: the mean of its views."""
    if not promises:
        return np.zeros((0, 1), dtype=np.float32)
    views = [promise_views(promise.text) for promise in promises]
    flat = encoder.encode([view for group in views for view in group])
    rows, start = [], 0
    for group in views:
        rows.append(flat[start : start + len(group)].mean(axis=0))
        start += len(group)
    matrix = np.asarray(rows, dtype=np.float32)
    result: FloatArray = (matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)).astype(
        np.float32
    )
    return result


@dataclass(frozen=True)
class Matcher:
    """A brand's promises and examples, encoded once, matched against batches of messages."""

    encoder: Encoder
    promises: tuple[PromiseSpec, ...]
    promise_matrix: FloatArray
    examples: tuple[LabelledExample, ...]
    example_matrix: FloatArray
    threshold: float = MATCH_THRESHOLD

    @classmethod
    def build(
        cls,
        encoder: Encoder,
        promises: Sequence[PromiseSpec],
        examples: Sequence[LabelledExample] = (),
        *,
        threshold: float = MATCH_THRESHOLD,
    ) -> Matcher:
        keys = {promise.key for promise in promises}
        kept = tuple(example for example in examples if example.promise_key in keys)
        return cls(
            encoder=encoder,
            promises=tuple(promises),
            promise_matrix=promise_vectors(encoder, promises),
            examples=kept,
            example_matrix=encoder.encode([example.text for example in kept]),
            threshold=threshold,
        )

    @property
    def version(self) -> str:
        return f"{self.encoder.version}+ex{len(self.examples)}"

    def match(self, texts: Sequence[str]) -> list[list[PromiseCandidate]]:
        """For each text, the promises it speaks to, best first (often none)."""
        if not texts or not self.promises:
            return [[] for _ in texts]
        vectors = self.encoder.encode(texts)
        return self.match_vectors(vectors)

    def match_vectors(self, vectors: FloatArray) -> list[list[PromiseCandidate]]:
        scores = vectors @ self.promise_matrix.T
        via_example = np.zeros_like(scores, dtype=bool)
        if self.examples:
            index = {promise.key: column for column, promise in enumerate(self.promises)}
            near = vectors @ self.example_matrix.T
            for row in range(len(vectors)):
                for column in np.argsort(-near[row])[:3]:
                    similarity = float(near[row, column])
                    if similarity < EXAMPLE_THRESHOLD:
                        break
                    example = self.examples[int(column)]
                    target = index[example.promise_key]
                    if example.kind is ExampleKind.UNRELATED:
                        scores[row, target] = min(scores[row, target], self.threshold - 0.01)
                    elif similarity > scores[row, target]:
                        scores[row, target] = similarity
                        via_example[row, target] = True
        results: list[list[PromiseCandidate]] = []
        for row in range(len(vectors)):
            best = float(scores[row].max())
            found = [
                PromiseCandidate(
                    self.promises[column].key,
                    round(float(scores[row, column]), 4),
                    bool(via_example[row, column]),
                )
                for column in np.argsort(-scores[row])
                if scores[row, column] >= self.threshold and scores[row, column] >= best - SECOND_MATCH_MARGIN
            ]
            results.append(found)
        return results
