"""Nudging a trained linear head toward a brand's own labelled examples.

A brand rarely has enough examples to learn sentiment from scratch, but a few corrections
should still move predictions for messages like the corrected ones. We keep the shipped
weights as a prior and minimise the cross-entropy on the brand's examples plus a pull back
toward the prior: only the features those examples contain move, so everything else the
model knew stays as it was. Pure numpy, a few milliseconds for hundreds of examples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from ombuds.enrichment.linear import LinearModel, softmax

STEPS = 300
RATE = 2.0
PULL = 0.01  # strength of the pull toward the shipped weights


def adapt(
    prior: LinearModel,
    features: sparse.csr_matrix,
    labels: Sequence[str],
    *,
    steps: int = STEPS,
    rate: float = RATE,
    pull: float = PULL,
    movable: int | None = None,
) -> LinearModel:
    """The prior's weights moved by gradient descent until the examples are mostly fitted.

    Only columns below ``movable`` move (the sparse terms; a dense sentence vector is in every
    row, so moving it would shift every message, not just those like the examples).
    """
    index = {name: position for position, name in enumerate(prior.classes)}
    unknown = sorted({label for label in labels if label not in index})
    if unknown:
        raise ValueError(f"labels {unknown} are not among the model's classes {list(prior.classes)}")
    columns = np.unique(features.indices)
    if movable is not None:
        columns = columns[columns < movable]
    local = features[:, columns].tocsr()
    targets = np.zeros((len(labels), len(prior.classes)), dtype=np.float32)
    targets[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
    start = prior.coef[:, columns].astype(np.float32)
    weights = start.copy()
    intercept = prior.intercept.astype(np.float32)
    count = max(1, len(labels))
    for _ in range(steps):
        probabilities = softmax(np.asarray(local @ weights.T, dtype=np.float32) + intercept)
        gradient = np.asarray((local.T @ (probabilities - targets)).T, dtype=np.float32) / count
        weights -= rate * (gradient + pull * (weights - start))
    coef = prior.coef.astype(np.float32).copy()
    coef[:, columns] = weights
    return LinearModel(prior.classes, coef, intercept.copy())
