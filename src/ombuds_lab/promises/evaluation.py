"""``ombuds eval promises``: assign each labelled message to the promise it contradicts, and score it.

Per-class figures are keyed by the promise ``id`` from the YAML (the label each promise stands
for is listed beside it), because the promise is what the product reports on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from ombuds.errors import InvalidInput
from ombuds.promises.encoder import Encoder, default_encoder
from ombuds.promises.files import read_labelled_csv, read_promises
from ombuds.promises.matching import PromiseSpec, promise_vectors
from ombuds.promises.transduction import assign_supervised, assign_zero_shot


@dataclass(frozen=True)
class PromiseEvalRequest:
    promises: Path
    test: Path
    label_col: str
    text_col: str = "text"
    train: Path | None = None


def evaluate_promises(request: PromiseEvalRequest, encoder: Encoder | None = None) -> dict[str, Any]:
    """The contract's metrics plus how they were made; raises InvalidInput on unusable input."""
    entries = read_promises(request.promises)
    missing = [entry.key for entry in entries if not entry.label]
    if missing:
        raise InvalidInput(
            f"{request.promises}: promise(s) {', '.join(missing)} have no 'label' "
            f"(the {request.label_col!r} value that contradicts them), needed for evaluation"
        )
    by_label: dict[str, int] = {}
    for index, entry in enumerate(entries):
        assert entry.label is not None
        if entry.label in by_label:
            raise InvalidInput(f"{request.promises}: two promises share the label {entry.label!r}")
        by_label[entry.label] = index
    test = read_labelled_csv(
        request.test, text_col=request.text_col, label_col=request.label_col, keep=set(by_label)
    )
    train = (
        read_labelled_csv(
            request.train, text_col=request.text_col, label_col=request.label_col, keep=set(by_label)
        )
        if request.train is not None
        else None
    )
    started = time.perf_counter()
    encoder = encoder or default_encoder()
    specs = [PromiseSpec(entry.key, entry.text) for entry in entries]
    matrix = promise_vectors(encoder, specs)
    vectors = encoder.encode(test.texts)
    if train is None:
        predicted, _ = assign_zero_shot(test.texts, vectors, matrix)
        method = "zero-shot: promise similarity, self-trained on the test messages (no labels read)"
    else:
        targets = np.asarray([by_label[label] for label in train.labels], dtype=np.int64)
        if len(set(targets.tolist())) < 2:
            raise InvalidInput(f"{request.train}: need labelled rows for at least two promises")
        predicted, _ = assign_supervised(
            train.texts, encoder.encode(train.texts), targets, test.texts, vectors, matrix
        )
        method = "supervised: logistic regression on words, sentence vectors and promise similarity"
    seconds = time.perf_counter() - started
    truth = [by_label[label] for label in test.labels]
    keys = [entry.key for entry in entries]
    return metrics(truth, predicted.tolist(), keys) | {
        "n_test": len(test.texts),
        "n_train": 0 if train is None else len(train.texts),
        "labels": {entry.key: entry.label for entry in entries},
        "method": method,
        "encoder": encoder.version,
        "messages_per_second": round(len(test.texts) / seconds, 1) if seconds > 0 else None,
    }


def metrics(truth: list[int], predicted: list[int], keys: list[str]) -> dict[str, Any]:
    """accuracy, macro_f1 and per_class (precision, recall, f1, support) keyed by promise id."""
    classes = list(range(len(keys)))
    present = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0
    )
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)), 4
        ),
        "per_class": {
            keys[index]: {
                "precision": round(float(precision[index]), 4),
                "recall": round(float(recall[index]), 4),
                "f1": round(float(f1[index]), 4),
                "support": int(support[index]),
            }
            for index in classes
        },
    }
