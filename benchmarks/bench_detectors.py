"""CPU per mention of the storm detectors alone, and a digest of everything they decided.

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/bench_detectors.py [--from FILE.csv]

Replays the airline tweets (``../shared/data/airline_dev.csv``) through one ``BrandMonitor`` per
airline and once more as a single brand (all six airlines' mentions in one stream: a busy brand,
where a storm's windows hold hundreds of people), in time order, after analysing them with the
default engine. Prints one JSON object: per stream the mentions, the CPU seconds ``observe``
took (``time.process_time()``) and a digest of every storm change (alarms and their evidence
included) and of the final state, so a change meant to make the detectors faster can show that
they decide exactly as before. Fix ``PYTHONHASHSEED``: the order of an agreeing group's shared
words among equals follows string hashing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from ombuds.incidents.detectors import BrandMonitor
from ombuds.incidents.detectors.state import dumps
from ombuds_lab.incidents.streams import streams_from_file

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline_dev.csv"
ONE_BRAND = "all airlines as one brand"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--from", dest="data_file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    if not args.data_file.exists():
        print(json.dumps({"skipped": f"{args.data_file} not found"}))
        return
    streams = streams_from_file(args.data_file, preset="airline")
    streams |= streams_from_file(args.data_file, preset="airline", brand=ONE_BRAND)
    report: dict[str, dict[str, object]] = {}
    for name, stream in sorted(streams.items()):
        monitor = BrandMonitor()
        digest = hashlib.sha256()
        started = time.process_time()
        for observation in stream:
            for change in monitor.observe(observation):
                digest.update(repr(change).encode())
        seconds = time.process_time() - started
        digest.update(dumps(monitor))
        report[name] = {
            "mentions": len(stream),
            "cpu_seconds": round(seconds, 2),
            "cpu_ms_per_mention": round(1000 * seconds / len(stream), 3),
            "storms": monitor.book.next_storm_id - 1,
            "digest": digest.hexdigest()[:16],
        }
    print(json.dumps({"benchmark": "detectors", "streams": report}, indent=1))


if __name__ == "__main__":
    main()
