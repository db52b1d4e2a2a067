"""Search the accurate model's recipe on the inner split: many tuning runs at once on one GPU.

    .venv/bin/python scripts/accurate_recipe_search.py prepare DIR [--data ../shared/data]
    python3 scripts/accurate_recipe_search.py run DIR [--device cuda] [--procs 12] > results.jsonl

``prepare`` (here, with the project installed) splits ``airline_dev.csv`` as the figures in
docs/analysis.md do: the learning part of the reported split (``inner:`` salt, 75 %) split again
(``inner2:`` salt) into 5,758 tweets to learn and 1,923 to score, so the reported scoring part is
never read. It writes the rows (``data.json``), the fast heads' probabilities on the scored rows
(``fast.npz``: sentiment, category, and category from 16 a class for draws 0-4, each trained as
``ombuds eval`` trains it) and all-MiniLM-L6-v2 from its package in half precision (``minilm/``).

``run`` needs torch, transformers and scikit-learn only (the folder and this script travel to a
machine with a GPU). Each run tunes MiniLM as ``ombuds.enrichment.accurate.tuning.fine_tune`` does
(mean pooling, AdamW with linear warm-up and decay, length-bucketed batches from the recipe's own
``length_batches``), with one idea changed, and prints one JSON line: macro-F1 of the accurate
head alone (share 0.0) and averaged with the fast head at each share, as ``accurate.analyzers.Blend``
reads (without emoji and solved problems, which the engine reads after). Fixed seeds, but a GPU's
arithmetic is not the CPU's: compare ideas over seeds, not single runs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import json
import math
import os
import random
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)
DRAWS = range(5)
UNDECIDED = "Can't Tell"


def _recipe() -> Any:
    """``accurate/recipe.py`` alone (pure): ``run`` must not import the project's dependencies."""
    spec = importlib.util.spec_from_file_location("recipe", ROOT / "src/ombuds/enrichment/accurate/recipe.py")
    if spec is None or spec.loader is None:
        raise ImportError("src/ombuds/enrichment/accurate/recipe.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules["recipe"] = module
    spec.loader.exec_module(module)
    return module


recipe = _recipe()


def prepare(folder: Path, data: Path) -> None:
    from safetensors.numpy import load_file, save_file

    from ombuds.enrichment.accurate.tuning import base_model_dir
    from ombuds.enrichment.engine import load_default_engine
    from ombuds.enrichment.training import TrainingSet
    from ombuds_lab.enrichment.evaluate import _train

    def bucket(salt: str, tweet_id: str) -> int:
        return int(hashlib.sha256(f"{salt}:{tweet_id}".encode()).hexdigest()[:8], 16) % 100

    with (data / "airline_dev.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    outer = [row for row in rows if bucket("inner", row["tweet_id"]) < 75]
    parts = {
        "learn": [row for row in outer if bucket("inner2", row["tweet_id"]) < 75],
        "score": [row for row in outer if bucket("inner2", row["tweet_id"]) >= 75],
    }

    def reason(row: dict[str, str]) -> str:
        found = row["negativereason"].strip()
        return "" if found == UNDECIDED else found

    table: dict[str, Any] = {
        name: [[row["text"], row["airline_sentiment"], reason(row)] for row in part]
        for name, part in parts.items()
    }
    engine = load_default_engine()
    arrays: dict[str, Any] = {}

    def fast(
        name: str, analyzer: str, training: TrainingSet, unlabelled: list[str], texts: list[str]
    ) -> None:
        head = _train(analyzer, engine, training, unlabelled)
        arrays[name] = head.model.probabilities(head.featurizer.transform(texts))
        table[f"{name}_classes"] = list(head.model.classes)

    learn, score = table["learn"], table["score"]
    sentiments = TrainingSet([r[0] for r in learn], [r[1] for r in learn], "inner")
    fast("fast_sent", "sentiment", sentiments, [], [r[0] for r in score])
    categories = TrainingSet([r[0] for r in learn if r[2]], [r[2] for r in learn if r[2]], "inner")
    complaints = [r[0] for r in score if r[2]]
    fast("fast_cat", "category", categories, [], complaints)
    for draw in DRAWS:
        shots, unlabelled = categories.shots(16, seed=draw)
        fast(f"fast_shot{draw}", "category", shots, unlabelled, complaints)
        table[f"shot{draw}"] = [shots.texts, shots.labels]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.json").write_text(json.dumps(table), encoding="utf-8")
    np.savez(folder / "fast.npz", **arrays)
    source, model = base_model_dir(), folder / "minilm"
    model.mkdir(exist_ok=True)
    weights = load_file(str(source / "model.safetensors"))
    save_file(
        {name: array.astype(np.float16) for name, array in weights.items()}, str(model / "model.safetensors")
    )
    for name in (
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "vocab.txt",
    ):
        shutil.copy(source / name, model / name)
    print(f"{folder}: {len(learn)} to learn, {len(score)} to score, {len(categories.texts)} complaints")


# --- run: one process per worker, each with its own copy of the encoder on the device

STATE: dict[str, Any] = {}


def _start(folder: str, device: str) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    torch.set_num_threads(2)
    model = AutoModel.from_pretrained(str(Path(folder) / "minilm"), torch_dtype=torch.float32)
    STATE.update(
        device=device,
        tokenizer=AutoTokenizer.from_pretrained(str(Path(folder) / "minilm")),
        untuned={name: value.clone() for name, value in model.state_dict().items()},
        model=model.to(device),
        table=json.loads((Path(folder) / "data.json").read_text(encoding="utf-8")),
        fast=dict(np.load(Path(folder) / "fast.npz")),
    )


def _pooled(texts: list[str], max_tokens: int = 64) -> Any:
    encoded = STATE["tokenizer"](
        [recipe.clean_text(text) for text in texts],
        padding=True,
        truncation=True,
        max_length=max_tokens,
        return_tensors="pt",
    ).to(STATE["device"])
    tokens = STATE["model"](**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).to(tokens.dtype)
    return (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def _read(texts: list[str]) -> Any:
    import torch

    STATE["model"].eval()
    with torch.inference_mode():
        return np.concatenate([_pooled(texts[i : i + 256]).cpu().numpy() for i in range(0, len(texts), 256)])


def _macro(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def _blends(
    probabilities: Any, classes: list[str], fast: Any, fast_classes: list[str], truth: list[str]
) -> dict[str, float]:
    aligned = fast[:, [fast_classes.index(name) for name in classes]]
    scores = {}
    for share in SHARES:
        mixed = (1 - share) * probabilities + share * aligned
        scores[str(share)] = round(_macro(truth, [classes[i] for i in mixed.argmax(1)]), 4)
    scores["fast"] = round(_macro(truth, [classes[i] for i in aligned.argmax(1)]), 4)
    return scores


def _tune(
    heads: dict[str, tuple[list[str], list[str]]], idea: dict[str, Any], seed: int
) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
    """Tune the encoder and one head per entry of ``heads`` (texts, labels); the idea's knobs:
    start (random|probe), batch, epochs, lr, head_lr, llrd, smooth, sqrt_weights, aux."""
    import torch
    from sklearn.linear_model import LogisticRegression

    torch.manual_seed(seed)
    model, device = STATE["model"], STATE["device"]
    model.load_state_dict(STATE["untuned"])
    texts: list[str] = []
    where: dict[str, int] = {}
    for head_texts, _ in heads.values():
        for text in head_texts:
            if text not in where:
                where[text] = len(texts)
                texts.append(text)
    classes, targets = {}, {}
    for head, (head_texts, labels) in heads.items():
        classes[head] = tuple(sorted(set(labels)))
        column = [-100] * len(texts)
        for text, label in zip(head_texts, labels, strict=True):
            column[where[text]] = classes[head].index(label)
        targets[head] = column
    layers = {head: torch.nn.Linear(384, len(classes[head])).to(device) for head in heads}
    if idea.get("start") == "probe":
        vectors = _read(texts)
        for head, layer in layers.items():
            rows = [i for i, target in enumerate(targets[head]) if target >= 0]
            probe = LogisticRegression(max_iter=1000).fit(vectors[rows], [targets[head][i] for i in rows])
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(probe.coef_.astype(np.float32)))
                layer.bias.copy_(torch.from_numpy(probe.intercept_.astype(np.float32)))
    batch, epochs, rate = idea.get("batch", 16), idea.get("epochs", 3), idea.get("lr", 4e-5)
    total = epochs * math.ceil(len(texts) / batch)
    decay = idea.get("llrd")
    if decay:
        depth = len(model.encoder.layer)
        groups = [{"params": list(model.embeddings.parameters()), "lr": rate * decay**depth}]
        groups += [
            {"params": list(layer.parameters()), "lr": rate * decay ** (depth - 1 - i)}
            for i, layer in enumerate(model.encoder.layer)
        ]
        rest = [
            p for name, p in model.named_parameters() if not name.startswith(("embeddings", "encoder.layer"))
        ]
        groups += [{"params": rest, "lr": rate}] if rest else []
    else:
        groups = [{"params": list(model.parameters()), "lr": rate}]
    groups.append(
        {
            "params": [p for layer in layers.values() for p in layer.parameters()],
            "lr": idea.get("head_lr", rate),
        }
    )
    optimizer = torch.optim.AdamW(groups, lr=rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: recipe.learning_rate_factor(step, total, int(total * 0.1))
    )
    losses = {}
    for head in heads:
        weights = None
        if head == "category" or idea.get("weighted"):
            weights = recipe.balanced_weights(targets[head], len(classes[head]))
            weights = torch.tensor(
                [w**0.5 for w in weights] if idea.get("sqrt_weights") else weights, device=device
            )
        losses[head] = torch.nn.CrossEntropyLoss(
            weight=weights, ignore_index=-100, label_smoothing=idea.get("smooth", 0.0)
        )
    labels = {head: torch.tensor(column, device=device) for head, column in targets.items()}
    lengths = [
        len(ids)
        for ids in STATE["tokenizer"]([recipe.clean_text(t) for t in texts], truncation=True, max_length=64)[
            "input_ids"
        ]
    ]
    shuffler = random.Random(seed)
    model.train()
    for _ in range(epochs):
        for rows in recipe.length_batches(lengths, batch, shuffler):
            pooled = _pooled([texts[i] for i in rows])
            index = torch.tensor(rows, device=device)
            loss = []
            for head, layer in layers.items():
                wanted = labels[head][index]
                if bool((wanted >= 0).any()):
                    share = 1.0 if head == idea["main"] else idea.get("aux", 1.0)
                    loss.append(share * losses[head](layer(pooled), wanted))
            optimizer.zero_grad()
            torch.stack(loss).sum().backward()
            optimizer.step()
            schedule.step()
    return classes, layers


def _setfit(
    texts: list[str], labels: list[str], idea: dict[str, Any], seed: int, scored: list[str]
) -> tuple[Any, list[str]]:
    """Contrastive tuning on pairs (same class: cosine 1, other: 0), then a logistic regression
    on the tuned, normalised vectors."""
    import torch
    from sklearn.linear_model import LogisticRegression

    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = STATE["model"]
    model.load_state_dict(STATE["untuned"])
    pairs = []
    for _ in range(idea.get("iterations", 20)):
        for i, label in enumerate(labels):
            pairs.append(
                (
                    i,
                    rng.choice([j for j, other in enumerate(labels) if other == label and j != i] or [i]),
                    1.0,
                )
            )
            pairs.append((i, rng.choice([j for j, other in enumerate(labels) if other != label]), 0.0))
    rng.shuffle(pairs)
    total = math.ceil(len(pairs) / 16)
    optimizer = torch.optim.AdamW(model.parameters(), lr=idea.get("lr", 2e-5), weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: recipe.learning_rate_factor(step, total, total // 10)
    )
    model.train()
    for start in range(0, len(pairs), 16):
        chunk = pairs[start : start + 16]
        one, other = _pooled([texts[a] for a, _, _ in chunk]), _pooled([texts[b] for _, b, _ in chunk])
        wanted = torch.tensor([same for _, _, same in chunk], device=STATE["device"])
        loss = torch.nn.functional.mse_loss(torch.nn.functional.cosine_similarity(one, other), wanted)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()

    def unit(vectors: Any) -> Any:
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    head = LogisticRegression(max_iter=2000, C=idea.get("C", 1.0)).fit(unit(_read(texts)), labels)
    return head.predict_proba(unit(_read(scored))), list(head.classes_)


def _probabilities(layer: Any, vectors: Any) -> Any:
    import torch

    with torch.no_grad():
        return torch.softmax(layer(torch.from_numpy(vectors).to(STATE["device"])), -1).cpu().numpy()


def one_run(job: tuple[str, str, dict[str, Any], int]) -> dict[str, Any]:
    name, task, idea, seed = job
    started = time.time()
    try:
        table, fast = STATE["table"], STATE["fast"]
        learn, score = table["learn"], table["score"]
        sentiment = ([r[0] for r in learn], [r[1] for r in learn])
        category = ([r[0] for r in learn if r[2]], [r[2] for r in learn if r[2]])
        main = "sentiment" if task == "sent" else "category"
        heads = {"sentiment": sentiment} if task == "sent" else {"category": category}
        if task.startswith("shot"):
            texts, labels = table[task]
            if idea.get("names"):  # each category's name as one more example of itself
                names = sorted(set(labels))
                texts, labels = texts + names, labels + names
            heads = {"category": (texts, labels)}
        if idea.get("multi"):
            heads |= {"sentiment": sentiment} if main == "category" else {"category": category}
        scored = score if main == "sentiment" else [r for r in score if r[2]]
        truth = [r[1] if main == "sentiment" else r[2] for r in scored]
        fast_name = {"sent": "fast_sent", "cat": "fast_cat"}.get(task, f"fast_{task}")
        if idea.get("setfit"):
            probabilities, classes = _setfit(*heads["category"], idea, seed, [r[0] for r in scored])
        else:
            tuned, layers = _tune(heads, {**idea, "main": main}, seed)
            vectors = _read([r[0] for r in scored])
            probabilities, classes = _probabilities(layers[main], vectors), list(tuned[main])
            if idea.get("refit"):  # a logistic regression on the tuned vectors instead of the head
                from sklearn.linear_model import LogisticRegression

                refit = LogisticRegression(max_iter=2000, C=idea["refit"]).fit(
                    _read(heads[main][0]), heads[main][1]
                )
                probabilities, classes = refit.predict_proba(vectors), list(refit.classes_)
        scores = _blends(probabilities, classes, fast[fast_name], table[f"{fast_name}_classes"], truth)
        return {
            "name": name,
            "task": task,
            "seed": seed,
            "seconds": round(time.time() - started, 1),
            **scores,
        }
    except Exception:  # one broken run must not lose the others' results
        return {"name": name, "task": task, "seed": seed, "error": traceback.format_exc()[-800:]}


#: The ideas searched (each from the recipe as it stood: random heads at the encoder's rate of
#: 4e-5, batches of 16, 3 epochs; category weighted; 16 a class: the probe's start, batches of 32).
SENTIMENT = [
    ("base", {}), ("head_lr1e-3", {"head_lr": 1e-3}), ("ep4", {"epochs": 4}), ("ep5", {"epochs": 5}),
    ("lr6e-5", {"lr": 6e-5}), ("lr3e-5_ep4", {"lr": 3e-5, "epochs": 4}), ("smooth0.1", {"smooth": 0.1}),
    ("multi", {"multi": True}), ("multi_aux0.5", {"multi": True, "aux": 0.5}),
    ("llrd0.9_lr8e-5", {"llrd": 0.9, "lr": 8e-5}), ("bs8", {"batch": 8}), ("bs32_lr8e-5", {"batch": 32, "lr": 8e-5}),
    ("ep4_head_lr1e-3", {"epochs": 4, "head_lr": 1e-3}),
]  # fmt: skip
CATEGORY = [
    ("base", {}), ("head_lr1e-3", {"head_lr": 1e-3}), ("ep5", {"epochs": 5}), ("ep8", {"epochs": 8}),
    ("lr8e-5", {"lr": 8e-5}), ("multi", {"multi": True}), ("multi_aux0.5", {"multi": True, "aux": 0.5}),
    ("smooth0.1", {"smooth": 0.1}), ("ep5_head_lr1e-3", {"epochs": 5, "head_lr": 1e-3}),
    ("sqrt_w", {"sqrt_weights": True}), ("bs8_ep4", {"batch": 8, "epochs": 4}),
    ("llrd0.9_lr8e-5_ep5", {"llrd": 0.9, "lr": 8e-5, "epochs": 5}), ("multi_ep5", {"multi": True, "epochs": 5}),
    ("refit", {"refit": 1.0}),
]  # fmt: skip
SHOTS = [
    ("probe_bs32_ep3", {"start": "probe", "batch": 32}),
    ("probe_bs16_ep10", {"start": "probe", "epochs": 10}),
    ("probe_bs16_ep20_lr1e-4", {"start": "probe", "epochs": 20, "lr": 1e-4}),
    ("random_bs16_ep20_lr1e-4_hl1e-3", {"epochs": 20, "lr": 1e-4, "head_lr": 1e-3}),
    ("names_probe_ep10", {"start": "probe", "epochs": 10, "names": True}),
    ("setfit_r20", {"setfit": True}), ("setfit_r10_C4", {"setfit": True, "iterations": 10, "C": 4.0}),
    ("multi_probe_ep3", {"start": "probe", "multi": True}),
    ("probe_ep10_refit", {"start": "probe", "epochs": 10, "refit": 1.0}),
]  # fmt: skip


def jobs() -> list[tuple[str, str, dict[str, Any], int]]:
    found = [(name, f"shot{draw}", idea, draw) for draw in DRAWS for name, idea in SHOTS]
    for seed in (0, 1, 2):  # every idea gets its first seed before any gets its third
        found += [(name, "sent", idea, seed) for name, idea in SENTIMENT]
        found += [(name, "cat", idea, seed) for name, idea in CATEGORY]
    return found


def run(folder: Path, device: str, procs: int, limit: int | None) -> None:
    import multiprocessing

    todo = jobs()[:limit]
    print(f"{len(todo)} runs on {device}, {procs} at a time", file=sys.stderr, flush=True)
    context = multiprocessing.get_context("spawn")
    with context.Pool(procs, initializer=_start, initargs=(str(folder), device)) as pool:
        for result in pool.imap_unordered(one_run, todo):
            print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    prepared = commands.add_parser("prepare")
    prepared.add_argument("folder", type=Path)
    prepared.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    running = commands.add_parser("run")
    running.add_argument("folder", type=Path)
    running.add_argument("--device", default="cuda")
    running.add_argument("--procs", type=int, default=12)
    running.add_argument("--limit", type=int, help="only the first N runs (a check of the set-up)")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.folder, args.data)
    else:
        run(args.folder, args.device, args.procs, args.limit)


if __name__ == "__main__":
    main()
