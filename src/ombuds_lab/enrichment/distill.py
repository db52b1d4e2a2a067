"""Distilling a sentence encoder into a map from word TF-IDF to dense vectors.

A transformer sentence encoder knows that "stuck at the gate for 2 hours" and "delayed again"
mean nearly the same, but it reads ~100 messages a second on two cores. Its knowledge is
distilled, once and offline, into one matrix: a message's vector is its word TF-IDF row times
that matrix, normalised, which costs a sparse product per batch. The matrix is fitted so that
these vectors point where the encoder's own vectors (reduced to their main directions) point,
over a large unlabelled corpus. With a handful of examples per category a classifier that sees
these vectors beside the words learns far more than one that sees words alone, because messages
that share no word with an example can still share its direction (docs/analysis.md).

Beside the encoder's directions, the probabilities of a tuned teacher's head (the accurate model:
MiniLM fine-tuned on labelled messages) can be more directions to fit (``teacher_targets``), so
words the labelled examples never showed still lean the way the teacher reads them.

Pure numpy, deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ombuds.enrichment.features import unit_rows

FloatArray = npt.NDArray[np.float32]

DIMENSIONS = 128
EPOCHS = 3
BATCH = 512
RATE = 1e-3
# How long the block of a tuned teacher's head probabilities is beside its vectors' main
# directions (each block scaled to a mean length of one first); 0 leaves the probabilities out.
PROBABILITY_WEIGHT = 0.5
# The shipped sentiment head also learns from the teacher's labels on this share of the unlabelled
# texts it is surest of (each counting as a self-training example).
TEACHER_LABEL_SHARE = 0.5


def principal_targets(vectors: FloatArray, dimensions: int) -> FloatArray:
    """The encoder's vectors, centred and projected on their main directions, unit length."""
    centred = vectors.astype(np.float64) - vectors.mean(axis=0, keepdims=True)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ directions[:dimensions].T
    return unit_rows(reduced.astype(np.float32))


def teacher_targets(
    vectors: FloatArray,
    probabilities: Sequence[FloatArray] = (),
    *,
    dimensions: int = DIMENSIONS,
    weight: float = PROBABILITY_WEIGHT,
) -> FloatArray:
    """Targets from an encoder and a tuned teacher: the encoder's main directions and, with a
    weight, the teacher's head probabilities (centred, one block of mean length ``weight`` each),
    unit length in all. The probabilities take their columns from the directions, so the targets
    keep ``dimensions``; with no probabilities (or weight 0) this is ``principal_targets``.
    """
    blocks = [_centred_block(p) * weight for p in probabilities] if weight > 0 else []
    extra = sum(block.shape[1] for block in blocks)
    if extra >= dimensions:
        raise ValueError(f"{extra} probability columns leave no room in {dimensions} dimensions")
    directions = principal_targets(vectors, dimensions - extra)
    if not blocks:
        return directions
    combined = np.hstack([directions, *blocks]).astype(np.float32)
    return unit_rows(combined)


def teacher_labels(
    texts: Sequence[str],
    probabilities: FloatArray,
    classes: Sequence[str],
    *,
    share: float = TEACHER_LABEL_SHARE,
) -> tuple[list[str], list[str]]:
    """The ``share`` of texts the teacher is surest of (highest top probability, ties in text
    order) with the label it gives each: texts and labels, surest first."""
    surest = np.argsort(-probabilities.max(axis=1), kind="stable")[: int(len(texts) * share)]
    chosen = probabilities[surest].argmax(axis=1)
    return [texts[i] for i in surest], [classes[c] for c in chosen]


def _centred_block(probabilities: FloatArray) -> FloatArray:
    centred = probabilities.astype(np.float64) - probabilities.mean(axis=0, keepdims=True)
    scale = float(np.linalg.norm(centred, axis=1).mean()) or 1.0
    result: FloatArray = (centred / scale).astype(np.float32)
    return result


def distill_projection(
    words: sparse.csr_matrix,
    targets: FloatArray,
    *,
    epochs: int = EPOCHS,
    batch: int = BATCH,
    rate: float = RATE,
    seed: int = 0,
) -> FloatArray:
    """A (dimensions × word terms) matrix P with unit(words @ P.T) close in cosine to the targets.

    Adam on the mean cosine distance, mini-batches in a seeded order.
    """
    rng = np.random.default_rng(seed)
    count, terms = words.shape
    dimensions = targets.shape[1]
    weights = (rng.standard_normal((terms, dimensions)) * 0.01).astype(np.float32)
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    for _ in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, batch):
            rows = order[start : start + batch]
            block = words[rows]
            output = np.asarray(block @ weights, dtype=np.float32)
            norms = np.maximum(np.linalg.norm(output, axis=1, keepdims=True), 1e-6)
            unit = output / norms
            wanted = targets[rows]
            agreement = (unit * wanted).sum(axis=1, keepdims=True)
            # d(1 - cos)/d(output) = -(target - cos · unit) / |output|
            upstream = -(wanted - agreement * unit) / norms / len(rows)
            touched = np.unique(block.indices)
            gradient = np.asarray(block[:, touched].T @ upstream, dtype=np.float32)
            step += 1
            # Lazy Adam: only the terms of this batch move, as with a sparse embedding table.
            first[touched] = beta1 * first[touched] + (1 - beta1) * gradient
            second[touched] = beta2 * second[touched] + (1 - beta2) * gradient**2
            corrected1 = first[touched] / (1 - beta1**step)
            corrected2 = second[touched] / (1 - beta2**step)
            weights[touched] -= rate * corrected1 / (np.sqrt(corrected2) + eps)
    result: FloatArray = np.ascontiguousarray(weights.T)
    return result


def agreement(words: sparse.csr_matrix, projection: FloatArray, targets: FloatArray) -> float:
    """Mean cosine between the distilled vectors and the targets (1.0 = the encoder itself)."""
    return float((unit_rows(np.asarray(words @ projection.T, dtype=np.float32)) * targets).sum(axis=1).mean())
