"""Mentions per second through every pipeline stage, and acceptance-to-inbox latency (embedded runner).

    .venv/bin/python benchmarks/bench_pipeline.py [--mentions 20000] [--rate 500] [--in-flight 1000]
                                                 [--batch-size 500] [--from FILE.csv]

Prints one JSON object per run; the same measurement as ``ombuds bench pipeline --json``, with the
CPU seconds (user and system) of this process, which runs the stages (``runner_cpu_s``: loading
the data and warming up included), and of the feeder process (``feeder_cpu_s``). With no options
it makes the two runs docs/performance.md reports: as fast as the pipeline goes, and a steady 500
mentions a second. Results and the machine they were taken on are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

from ombuds_lab.pipeline_bench import DEFAULT_FILE, run_pipeline_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--rate", type=float, action="append", help="mentions a second (repeatable)")
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--from", dest="data_file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    if not args.data_file.exists():
        print(json.dumps({"skipped": f"{args.data_file} not found"}))
        return
    for rate in args.rate or [None, 500.0]:
        runner, feeder = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        result = run_pipeline_benchmark(
            count=args.mentions,
            rate=rate,
            in_flight=args.in_flight,
            batch_size=args.batch_size,
            data_file=args.data_file,
        )
        cpu = {
            "runner_cpu_s": round(_cpu(resource.RUSAGE_SELF) - runner, 2),
            "feeder_cpu_s": round(_cpu(resource.RUSAGE_CHILDREN) - feeder, 2),
        }
        print(json.dumps({"benchmark": "pipeline", "rate": rate, **result.as_json(), **cpu}), flush=True)


def _cpu(who: int) -> float:
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    main()
