"""Reading speed and memory of the accurate path: torch as trained, the ONNX export, its int8 twin.

    nice -n 10 .venv/bin/python benchmarks/bench_accurate.py [--count 2000] [--train 240]
                                                              [--epochs 1] [--model DIR]
                                                              [--keep DIR] [--repeat 2]

Tunes MiniLM (64 tokens, the sentiment head) on the first ``--train`` tweets of
``../shared/data/airline_dev.csv`` (or copies the saved model ``--model DIR``), exports it both
ways (``export.write_onnx``, ``export.write_int8``), then reads the next ``--count`` tweets in
batches of 64 with each reading in turn (``--repeat`` times; the fastest run counts), each in a
fresh process so that its peak resident memory is its own: the model alone (encoder and heads),
then the whole engine with the accurate heads swapped in (what the pipeline's enrich stage and
``ombuds eval --model accurate`` time). Labels are compared with torch's on the same unseen
tweets, and with the gold labels (macro-F1). Prints a Markdown table and the JSON behind it; the
figures and the machine they were taken on are in docs/analysis.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score

from ombuds.enrichment.accurate.recipe import INT8, ONNX_FLOAT, READ_BATCH, TORCH, Recipe, agreement

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline_dev.csv"
READINGS = (TORCH, ONNX_FLOAT, INT8)


def _tweets(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["airline_sentiment"]) for row in csv.DictReader(handle)]


def _peak_mb() -> float:
    """This process's peak resident memory. Linux keeps ru_maxrss across exec (a child would
    report the tuning parent's peak), so VmHWM, which starts afresh with the program, comes first."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 0)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)


def read_once(folder: Path, reading: str, texts: list[str], threads: int) -> dict[str, Any]:
    """In this process: load one reading, time the model alone, then the whole engine."""
    from ombuds.enrichment.accurate.analyzers import with_accurate
    from ombuds.enrichment.accurate.tuning import AccurateModel
    from ombuds.enrichment.base import MentionFacts
    from ombuds.enrichment.engine import load_default_engine

    started = time.perf_counter()
    model = AccurateModel.load(folder, threads=threads, reading=reading)
    model.predict("sentiment", texts[:READ_BATCH])  # warm-up: first passes allocate
    loaded = time.perf_counter() - started
    labels: list[str] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), READ_BATCH):
        labels += model.predict("sentiment", texts[start : start + READ_BATCH])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    model_peak = _peak_mb()
    engine = with_accurate(load_default_engine(), model)
    facts = [MentionFacts(text) for text in texts]
    engine.analyze(facts[:READ_BATCH])
    engine_wall, engine_cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(facts), READ_BATCH):
        engine.analyze(facts[start : start + READ_BATCH])
    engine_wall, engine_cpu = time.perf_counter() - engine_wall, time.process_time() - engine_cpu
    return {
        "reading": reading,
        "load_seconds": round(loaded, 1),
        "model_messages_per_second": round(len(texts) / wall, 1),
        "model_messages_per_cpu_second": round(len(texts) / cpu, 1),
        "model_peak_rss_mb": model_peak,
        "engine_messages_per_second": round(len(texts) / engine_wall, 1),
        "engine_messages_per_cpu_second": round(len(texts) / engine_cpu, 1),
        "engine_peak_rss_mb": _peak_mb(),
        "torch_loaded": "torch" in sys.modules,
        "labels": labels,
    }


def prepare(
    folder: Path, train: list[tuple[str, str]], epochs: int, model: Path | None, threads: int
) -> float:
    """A tuned, saved model in ``folder`` with both exports beside it; returns the seconds taken."""
    from ombuds.enrichment.accurate.export import write_int8, write_onnx
    from ombuds.enrichment.accurate.onnx_reading import EXPORTS
    from ombuds.enrichment.accurate.tuning import fine_tune

    started = time.perf_counter()
    if model is not None:
        shutil.copytree(model, folder)
    else:
        fine_tune({"sentiment": train}, Recipe(epochs=epochs, threads=threads)).save(folder)
    write_onnx(folder, folder / EXPORTS[ONNX_FLOAT])
    write_int8(folder / EXPORTS[ONNX_FLOAT], folder / EXPORTS[INT8])
    return time.perf_counter() - started


def _table(results: list[dict[str, Any]], count: int) -> str:
    lines = [
        f"| reading ({count} unseen tweets, batches of {READ_BATCH}) | model alone: messages/s (per CPU-s) "
        "| whole engine: messages/s (per CPU-s) | peak RSS model / engine | labels as torch's | macro-F1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for found in results:
        lines.append(
            f"| {found['reading']} | {found['model_messages_per_second']} ({found['model_messages_per_cpu_second']}) "
            f"| {found['engine_messages_per_second']} ({found['engine_messages_per_cpu_second']}) "
            f"| {found['model_peak_rss_mb']:.0f} / {found['engine_peak_rss_mb']:.0f} MB "
            f"| {found['agreement_with_torch']:.1%} | {found['macro_f1']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="unseen tweets read per reading")
    parser.add_argument("--train", type=int, default=240, help="tweets the model is tuned on")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, help="a saved accurate model folder instead of tuning one")
    parser.add_argument("--keep", type=Path, help="copy the tuned and exported model folder here")
    parser.add_argument("--repeat", type=int, default=2, help="runs per reading, in turn; the fastest counts")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--read", choices=READINGS, help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tweets = _tweets(args.data)
    texts = [text for text, _ in tweets[args.train : args.train + args.count]]
    if args.read:
        print(json.dumps(read_once(args.folder, args.read, texts, args.threads)))
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-accurate-") as scratch:
        folder = Path(scratch) / "model"
        prepared = prepare(folder, tweets[: args.train], args.epochs, args.model, args.threads)
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
        # Readings take turns, so that a spell of load from other jobs does not fall on one alone.
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.repeat):
            for reading in READINGS:
                child = [sys.executable, __file__, "--read", reading, "--folder", str(folder)]
                child += [
                    "--count",
                    str(args.count),
                    "--train",
                    str(args.train),
                    "--threads",
                    str(args.threads),
                ]
                child += ["--data", str(args.data)]
                done = subprocess.run(child, capture_output=True, text=True, check=True)
                found = json.loads(done.stdout.strip().splitlines()[-1])
                if (
                    reading not in best
                    or found["engine_messages_per_second"] > best[reading]["engine_messages_per_second"]
                ):
                    best[reading] = found
        results = [best[reading] for reading in READINGS]
    trained = results[0]["labels"]
    gold = [label for _, label in tweets[args.train : args.train + args.count]]
    for found in results:
        labels = found.pop("labels")
        found["agreement_with_torch"] = agreement(trained, labels)
        found["macro_f1"] = round(float(f1_score(gold, labels, average="macro")), 4)
    print(_table(results, len(texts)))
    summary = {
        "count": len(texts),
        "repeat": args.repeat,
        "trained_on": 0 if args.model else args.train,
        "prepare_seconds": round(prepared, 1),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "readings": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
