"""Sentence vectors a second, as the early-warning detectors read them: calls of a few texts.

    .venv/bin/python benchmarks/bench_meaning.py [--from FILE.csv] [--count 1200] [--calls 5,20,400]

Reads the first ``--count`` messages of the SpotifyCares inbound stream
(``../shared/data/twcs_spotifycares_inbound_dev.csv``) through the untuned MiniLM on one thread
(``ombuds.enrichment.meaning.MeaningReader``), in calls of each size of ``--calls``: the
detection stage reads a window's new messages a few at a time, a re-reading reads hundreds.
Prints one JSON object: per call size, texts a second.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from ombuds.enrichment.meaning import MeaningReader

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs_spotifycares_inbound_dev.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--from", dest="data_file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--count", type=int, default=1200)
    parser.add_argument("--calls", default="5,20,400", help="Texts per call, comma-separated.")
    args = parser.parse_args()
    if not args.data_file.exists():
        print(json.dumps({"skipped": f"{args.data_file} not found"}))
        return
    with args.data_file.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for _, row in zip(range(args.count), csv.DictReader(handle), strict=False)]
    reader = MeaningReader(threads=1)
    reader(texts[:50])  # the first call pays for the model's warm-up
    report: dict[str, float] = {}
    for size in (int(part) for part in args.calls.split(",")):
        started = time.perf_counter()
        for start in range(0, len(texts), size):
            reader(texts[start : start + size])
        report[str(size)] = round(len(texts) / (time.perf_counter() - started), 1)
    print(json.dumps({"benchmark": "meaning", "texts": len(texts), "texts_per_second_by_call_size": report}))


if __name__ == "__main__":
    main()
