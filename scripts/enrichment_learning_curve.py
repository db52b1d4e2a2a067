"""Learning curve of the brand-trainable heads: macro-F1 against labelled examples per class.

    .venv/bin/python scripts/enrichment_learning_curve.py [--data ../shared/data] [--seeds 3]
    .venv/bin/python scripts/enrichment_learning_curve.py --split-to /tmp/inner   # only the split files

Splits ../shared/data/airline_dev.csv again with the data set's own hash rule under another
salt (75 % learn / 25 % score, by tweet id), then trains on K examples per class for growing K
through the same code as ``ombuds eval``, and prints a Markdown table (mean over seeds).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import statistics
import tempfile
from pathlib import Path

from ombuds_lab.enrichment.evaluate import UNDECIDED_LABELS, EvalRequest, evaluate

SHOTS = (2, 4, 8, 16, 32, 64, 128, None)


def inner_bucket(tweet_id: str) -> int:
    return int(hashlib.sha256(f"inner:{tweet_id}".encode()).hexdigest()[:8], 16) % 100


def split(source: Path, folder: Path) -> tuple[Path, Path]:
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames or []
    paths = (folder / "learn.csv", folder / "score.csv")
    for path, keep in zip(paths, (lambda b: b < 75, lambda b: b >= 75), strict=True):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(row for row in rows if keep(inner_bucket(row["tweet_id"])))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--split-to", type=Path, help="write learn.csv and score.csv here and stop")
    args = parser.parse_args()
    if args.split_to is not None:
        args.split_to.mkdir(parents=True, exist_ok=True)
        for path in split(args.data / "airline_dev.csv", args.split_to):
            print(path)
        return
    with tempfile.TemporaryDirectory() as folder:
        learn, score = split(args.data / "airline_dev.csv", Path(folder))
        print("| examples per class | sentiment macro-F1 | category macro-F1 |")
        print("|---:|---:|---:|")
        for shots in SHOTS:
            cells = []
            for analyzer, column, exclude in (
                ("sentiment", "airline_sentiment", ()),
                ("category", "negativereason", UNDECIDED_LABELS),
            ):
                seeds = range(args.seeds) if shots is not None else range(1)
                scores = [
                    evaluate(EvalRequest(analyzer, learn, score, "text", column, shots, seed, exclude))[
                        "macro_f1"
                    ]
                    for seed in seeds
                ]
                cells.append(f"{statistics.mean(scores):.3f}")
            print(f"| {shots or 'all'} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
