"""Per-class decision offsets that raise macro-F1: small categories get a fair share of labels.

A classifier trained on skewed classes hands the doubtful messages to the big classes; macro-F1
weighs every class alike, so a small shift of each class's score (added to the model's
intercept) moves those messages to where they score best on average. The offsets are chosen on
out-of-fold predictions inside the training examples only, never on the data that is scored.
Pure: numbers in, numbers out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# Candidate offsets (added to log-probabilities) and coordinate-ascent rounds over the classes.
OFFSET_GRID = np.round(np.linspace(-1.5, 1.5, 31), 2)
ROUNDS = 2


def macro_f1(truth: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64], classes: int) -> float:
    """Macro-F1 over ``classes`` class indices (a class absent from both counts as zero)."""
    both = np.bincount(truth[truth == predicted], minlength=classes).astype(np.float64)
    actual = np.bincount(truth, minlength=classes)
    guessed = np.bincount(predicted, minlength=classes)
    denominator = actual + guessed
    f1 = np.divide(2 * both, denominator, out=np.zeros(classes), where=denominator > 0)
    return float(f1.mean())


def tune_offsets(
    log_probabilities: npt.NDArray[np.float64], truth: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    """Offsets per class that maximise macro-F1 of ``argmax(log_probabilities + offsets)``.

    Coordinate ascent from zero; an offset moves only when it strictly improves the score, so
    classes the model already serves well keep zero.
    """
    classes = log_probabilities.shape[1]
    offsets = np.zeros(classes)
    best = macro_f1(truth, log_probabilities.argmax(axis=1), classes)
    for _ in range(ROUNDS):
        improved = False
        for index in range(classes):
            for value in OFFSET_GRID:
                trial = offsets.copy()
                trial[index] = value
                score = macro_f1(truth, (log_probabilities + trial).argmax(axis=1), classes)
                if score > best + 1e-9:
                    best, offsets, improved = score, trial, True
        if not improved:
            break
    return offsets.astype(np.float32)
