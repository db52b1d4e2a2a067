"""Throughput and peak memory of the full analysis path (every analyzer), one process.

    .venv/bin/python benchmarks/bench_enrichment.py [--count 20000] [--batch-size 500] [--workers 2]
                                                   [--from FILE.csv]

Prints one JSON object; the same measurement as ``ombuds bench enrichment --json``. Results and
the machine they were taken on are in docs/analysis.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ombuds_lab.enrichment.benchmark import run_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--from", dest="sources", type=Path, action="append")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    result = run_benchmark(
        count=args.count,
        batch_size=args.batch_size,
        sources=args.sources,
        text_col=args.text_col,
        workers=args.workers,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
