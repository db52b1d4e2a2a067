"""How the accurate model is trained, and what identifies one: pure, no torch.

The recipe was measured on two CPU cores and searched further on an inner split (docs/analysis.md):
mean pooling, AdamW at 4e-5 (heads started at random at 1e-3), batches of 16 (32 below a thousand
examples), 64 tokens, 3 epochs or enough for a thousand steps (at most 5), with a linear warm-up
over the first tenth of the steps and a linear decay after it.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

#: The prefix of every accurate model's version, as stamped on enrichment rows.
VERSION_PREFIX = "minilm-ft-"
#: Each head's share of the fast head's probabilities in its reading (``analyzers.Blend``);
#: a head not named reads with the accurate model alone. Chosen on an inner split of the
#: learning part (docs/analysis.md): sentiment macro-F1 0.787 alone, 0.790 with a tenth of the
#: fast head (0.750 alone); category 0.542 alone, 0.568 half and half, 0.582 at 0.7 (0.575 alone).
WITH_FAST: dict[str, float] = {"sentiment": 0.1, "category": 0.7}
#: Heads whose loss weighs each class by ``balanced_weights`` whatever the recipe says: macro-F1
#: counts a category of 28 examples as much as one of 1,140, and an unweighted category head
#: left the rarest at 0 (inner split: 0.498 unweighted, 0.542 weighted). Sentiment's three
#: classes read lower weighted (0.760 against 0.764), so it follows ``Recipe.class_weighted``.
BALANCED_HEADS = frozenset({"category"})
#: From this many examples on, "auto" heads start at random: on the inner split (5,758 tweets) a
#: random start read sentiment 2.4 points better than the probe's; with a few steps (the 60-tweet
#: test) a random head has not learned yet. Between the two it is not measured.
RANDOM_HEAD_MIN_EXAMPLES = 1000
#: Below this many examples a head reads with this share of the fast head instead of
#: ``WITH_FAST``'s. Category with 16 examples a class (144; five draws on the inner split): the
#: fast head alone 0.493, the accurate head 0.424, with seven tenths of the fast head 0.481, with
#: nine tenths 0.503 (better than the fast head alone in four draws of five).
SMALL_SET_WITH_FAST: dict[str, tuple[int, float]] = {"category": (RANDOM_HEAD_MIN_EXAMPLES, 0.9)}
#: Training batches from ``RANDOM_HEAD_MIN_EXAMPLES`` examples on, and below (``Recipe.batch_for``):
#: 16 read better than 32 on the inner split with every seed (sentiment 0.791 against 0.785 on
#: average over three, categories 0.589 against 0.581); on 60 tweets for one epoch, where the
#: head starts from the probe, 32 told more held-out tweets apart (16/15/16 of 20 against
#: 14/14/16). Between the two it is not measured.
BATCH = 16
SMALL_SET_BATCH = 32
#: Passes over the examples: at least ``EPOCHS``, and from ``RANDOM_HEAD_MIN_EXAMPLES`` examples on
#: as many as ``MIN_STEPS`` training steps take, at most ``MAX_EPOCHS`` (``Recipe.epochs_for``).
#: Category on the inner split's 3,133 complaints (196 steps an epoch), blended as read: 3 epochs
#: 0.598 (three seeds), 5 epochs with heads at 1e-3 0.615 (two); sentiment's 5,758 tweets take
#: 1,080 steps in 3 epochs, and 4 or 5 read no better (0.792, 0.787 against 0.794).
EPOCHS = 3
MAX_EPOCHS = 5
MIN_STEPS = 1000
#: Texts per forward pass when reading (not training), at most.
READ_BATCH = 64
#: Padding, in tokens, a text may add to a reading pass before it starts a pass of its own
#: (``reading_passes``): a pass costs about as much as 30 tokens before its first. The untuned
#: MiniLM on one thread read 1,200 SpotifyCares messages (21 tokens on average) 72 a second in
#: calls of 20 with passes of 64, 108 cut this way (``benchmarks/bench_meaning.py``); a slack of
#: 16 or 64 tokens read no better.
PASS_SLACK_TOKENS = 32
#: Training batches per length bucket: rows are shuffled, cut into spans of this many batches,
#: and each span is sorted by length before it is batched (``length_batches``).
BUCKET_BATCHES = 50
#: Fewer batches than this are shuffled plainly: too few steps for sorted batches to even out
#: (a bucket holds one length, and with it more of one class: thanks are short), little to save.
BUCKET_MIN_BATCHES = 10


def reading_passes(lengths: Sequence[int], at_most: int = READ_BATCH) -> list[list[int]]:
    """The indices of texts of these token ``lengths``, shortest first, cut into forward passes.

    A pass pads every text to its longest, so the next text joins the pass only while the
    padding it adds (the pass's texts times the tokens it is longer) stays within
    ``PASS_SLACK_TOKENS``, and the pass holds fewer than ``at_most``.
    """
    passes: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lambda found: lengths[found]):
        current = passes[-1] if passes else None
        if (
            current is not None
            and len(current) < at_most
            and len(current) * (lengths[index] - lengths[current[-1]]) <= PASS_SLACK_TOKENS
        ):
            current.append(index)
        else:
            passes.append([index])
    return passes


def clean_text(text: str) -> str:
    """What the encoder reads of a text, in training and in reading alike."""
    return html.unescape(text).strip()


@dataclass(frozen=True)
class Recipe:
    #: Passes over the examples; None: ``epochs_for`` decides by the number of examples.
    epochs: int | None = None
    learning_rate: float = 4e-5
    #: The learning rate of heads that start at random (a probe's head starts fitted and moves
    #: at ``learning_rate``). Category on the inner split, 3 epochs: 0.606 at 1e-3 against 0.598
    #: at 4e-5 (three seeds each); sentiment the same either way (0.793, 0.794).
    head_learning_rate: float = 1e-3
    #: Examples a training batch holds; None: ``BATCH``, or ``SMALL_SET_BATCH`` on a small set.
    batch_size: int | None = None
    max_tokens: int = 64
    warmup_share: float = 0.1
    weight_decay: float = 0.01
    seed: int = 0
    threads: int = 2
    #: Each class's loss weighed by n / (classes × its count), as the fast path balances them:
    #: macro-F1 counts a rare class as much as a common one. ``BALANCED_HEADS`` always are.
    class_weighted: bool = False
    #: Heads start as a logistic regression on the untuned vectors ("probe"), at random, or
    #: ("auto") at random from ``RANDOM_HEAD_MIN_EXAMPLES`` examples on and as a probe below.
    head_start: str = "auto"

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "max_tokens", "threads"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"recipe: {name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.warmup_share < 1:
            raise ValueError(f"recipe: warmup_share must be in [0, 1), got {self.warmup_share}")
        if self.head_start not in ("auto", "probe", "random"):
            raise ValueError(
                f"recipe: head_start must be 'auto', 'probe' or 'random', got {self.head_start!r}"
            )

    def weighs_classes(self, head: str) -> bool:
        """Whether ``head``'s loss weighs classes by ``balanced_weights``."""
        return self.class_weighted or head in BALANCED_HEADS

    def starts_at_random(self, examples: int) -> bool:
        return self.head_start == "random" or (
            self.head_start == "auto" and examples >= RANDOM_HEAD_MIN_EXAMPLES
        )

    def epochs_for(self, examples: int) -> int:
        if self.epochs is not None:
            return self.epochs
        if examples < RANDOM_HEAD_MIN_EXAMPLES:
            return EPOCHS
        steps = math.ceil(examples / self.batch_for(examples))
        return max(EPOCHS, min(MAX_EPOCHS, math.ceil(MIN_STEPS / steps)))

    def batch_for(self, examples: int) -> int:
        if self.batch_size is not None:
            return self.batch_size
        return BATCH if examples >= RANDOM_HEAD_MIN_EXAMPLES else SMALL_SET_BATCH

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def version_id(recipe: Recipe, heads: Mapping[str, Sequence[tuple[str, str]]], trained_at: datetime) -> str:
    """``minilm-ft-`` and 12 hex digits of the recipe, every (head, text, label) and the time."""
    digest = hashlib.sha256()
    digest.update(json.dumps(recipe.as_dict(), sort_keys=True).encode())
    for head in sorted(heads):
        for text, label in heads[head]:
            digest.update(json.dumps([head, text, label]).encode())
    digest.update(trained_at.isoformat().encode())
    return VERSION_PREFIX + digest.hexdigest()[:12]


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random, *, bucket_batches: int = BUCKET_BATCHES
) -> list[list[int]]:
    """One epoch's batches of row indices, each of texts of about the same length.

    A batch is padded to its longest text, so mixing a 10-token tweet with a 60-token one
    computes 50 tokens of padding. The rows are shuffled, cut into spans of ``bucket_batches``
    batches, each span sorted by length (ties keep the shuffled order) and batched, and the
    batches shuffled: every row once, as random as a shuffle across spans, deterministic for
    the state of ``rng``. As many batches as plain shuffling gives; one at most is short.
    Fewer than ``BUCKET_MIN_BATCHES`` batches' worth of rows are batched as shuffled.
    """
    if batch_size < 1 or bucket_batches < 1:
        raise ValueError(f"length_batches: batch_size {batch_size} and bucket_batches {bucket_batches}")
    order = list(range(len(lengths)))
    rng.shuffle(order)
    span = batch_size * bucket_batches if len(order) >= batch_size * BUCKET_MIN_BATCHES else batch_size
    batches: list[list[int]] = []
    for begin in range(0, len(order), span):
        bucket = sorted(order[begin : begin + span], key=lambda index: lengths[index])
        batches.extend(bucket[start : start + batch_size] for start in range(0, len(bucket), batch_size))
    rng.shuffle(batches)
    return batches


def balanced_weights(targets: Sequence[int], classes: int) -> list[float]:
    """Each class's loss weight, n / (classes × its count) (1.0 for a class never seen);
    targets below 0 (no label) are not counted."""
    counts = [0] * classes
    for target in targets:
        if target >= 0:
            counts[target] += 1
    seen = sum(counts)
    return [seen / (classes * count) if count else 1.0 for count in counts]


def learning_rate_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up to 1 over ``warmup`` steps, then linear decay to 0 at ``total``."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


@dataclass(frozen=True)
class Progress:
    """Training steps done of all, and the seconds spent: what a progress bar shows."""

    done: int
    total: int
    elapsed: float

    @property
    def seconds_left(self) -> float | None:
        """The time left at the pace so far; None before the first step."""
        if self.done <= 0:
            return None
        return self.elapsed / self.done * max(0, self.total - self.done)


#: How a saved model is read: the exported ONNX encoder with int8 weights, with float weights,
#: or (a folder saved before export, or an export that changed its readings) torch as trained.
INT8 = "int8"
ONNX_FLOAT = "onnx"
TORCH = "torch"
#: The share of texts on which an export must give every head's label the trained model gives.
#: int8 quantizes each pass's activations with one scale for the whole pass, so a text's label can
#: change with the texts it is read beside: 99.5 % agreement cost 0.8 points of sentiment macro-F1
#: on the inner split (0.786 against float's 0.794, batches as the engine reads them), since the
#: labels that move are the close calls. Float reads as torch does, at 275-290 messages/s for the
#: whole engine against int8's 565-575 (docs/analysis.md, "Which export reads").
KEEPS_QUALITY: dict[str, float] = {INT8: 0.999, ONNX_FLOAT: 0.99}


def agreement(one: Sequence[str], other: Sequence[str]) -> float:
    """The share of positions where two label lists agree (1.0 for none)."""
    if len(one) != len(other):
        raise ValueError(f"agreement: {len(one)} labels against {len(other)}")
    return sum(a == b for a, b in zip(one, other, strict=True)) / len(one) if one else 1.0


def choose_reading(agreements: Mapping[str, Mapping[str, float]]) -> str:
    """The fastest export whose every head agrees with the trained model often enough.

    ``agreements`` maps ``INT8`` and ``ONNX_FLOAT`` to each head's agreement with torch's labels;
    int8 (about twice as fast as float on two cores, a quarter of the size) comes first, when it
    moves hardly a label (``KEEPS_QUALITY``).
    """
    for reading in (INT8, ONNX_FLOAT):
        heads = agreements.get(reading)
        if heads and all(share >= KEEPS_QUALITY[reading] for share in heads.values()):
            return reading
    return TORCH


def reading_version(version: str, reading: str) -> str:
    """The version stamped on rows: the model's, and how it was read (``minilm-ft-….int8``)."""
    return version if reading == TORCH else f"{version}.{reading}"
