"""A multinomial linear classifier kept as plain arrays: fast to apply, safe to store."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse


@dataclass
class LinearModel:
    """Weights (classes × features) and intercepts; probabilities by softmax of the scores."""

    classes: tuple[str, ...]
    coef: npt.NDArray[np.float32]
    intercept: npt.NDArray[np.float32]

    def scores(self, features: sparse.csr_matrix | npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        raw = features @ self.coef.T
        return np.asarray(raw, dtype=np.float32) + self.intercept

    def probabilities(self, features: sparse.csr_matrix | npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return softmax(self.scores(features))

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[np.generic]]:
        return {
            f"{prefix}classes": np.array(self.classes, dtype=np.str_),
            f"{prefix}coef": self.coef.astype(np.float16),  # half the size, no change in labels
            f"{prefix}intercept": self.intercept.astype(np.float32),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[np.generic]], prefix: str) -> LinearModel:
        return cls(
            tuple(str(name) for name in arrays[f"{prefix}classes"]),
            arrays[f"{prefix}coef"].astype(np.float32),
            arrays[f"{prefix}intercept"].astype(np.float32),
        )

    def to_bytes(self) -> bytes:
        """The arrays as one compressed ``.npz`` blob, as a brand's model is stored in the database."""
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **self.arrays(""))  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LinearModel:
        """The model ``to_bytes`` stored; no pickles are read."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
            return cls.from_arrays({name: stored[name] for name in stored.files}, "")


def softmax(scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: npt.NDArray[np.float32] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


def top_labels(
    classes: Sequence[str], probabilities: npt.NDArray[np.float32]
) -> list[tuple[str, float, dict[str, float]]]:
    """For each row: the most probable class, its probability, and every class's probability."""
    best = probabilities.argmax(axis=1).tolist()
    rounded = np.round(probabilities.astype(np.float64), 4).tolist()
    return [
        (classes[index], row[index], dict(zip(classes, row, strict=True)))
        for row, index in zip(rounded, best, strict=True)
    ]
