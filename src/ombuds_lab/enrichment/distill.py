"""Distilling a sentence encoder into a map from word TF-IDF to dense vectors.

A transformer sentence encoder knows that "stuck at the gate for 2 hours" and "delayed again"
mean nearly the same, but it reads ~100 messages a second on two cores. Its knowledge is
distilled, once and offline, into one matrix: a message's vector is its word TF-IDF row times
that matrix, normalised, which costs a sparse product per batch. The matrix is fitted so that
these vectors point where the encoder's own vectors (reduced to their main directions) point,
over a large unlabelled corpus. With a handful of examples per category a classifier that sees
these vectors beside the words learns far more than one that sees words alone, because messages
that share no word with an example can still share its direction (docs/analysis.md).

Pure numpy, deterministic for a seed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ombuds.enrichment.features import unit_rows

FloatArray = npt.NDArray[np.float32]

DIMENSIONS = 128
EPOCHS = 3
BATCH = 512
RATE = 1e-3


def principal_targets(vectors: FloatArray, dimensions: int) -> FloatArray:
    """The encoder's vectors, centred and projected on their main directions, unit length."""
    centred = vectors.astype(np.float64) - vectors.mean(axis=0, keepdims=True)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ directions[:dimensions].T
    return unit_rows(reduced.astype(np.float32))


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
