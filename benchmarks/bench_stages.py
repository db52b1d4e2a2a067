"""CPU time per mention of each pipeline stage, the figure the throughput target depends on.

    .venv/bin/python benchmarks/bench_stages.py [--mentions 3000] [--batch-size 500] [--from FILE.csv]
        [--rollup]

The airline mentions and the warm-up the pipeline benchmark uses (``ombuds_lab.pipeline_bench``),
all accepted first, then each stage run over all of them by ``run_stage_batch`` in batches, one
process. CPU is ``time.process_time()``, which other work on a shared machine moves far less
than wall time; the cycle collector's share is timed apart. ``--rollup`` installs the dashboard's
session hooks (``metrics.rollup.install``: each commit refreshes the outcome and voice rows of what
it touched), as ``ombuds serve``, ``ombuds pipeline run`` and the workers do: the stages' cost in a
server. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from ombuds.clock import utcnow
from ombuds.db import make_engine, make_session_factory, transaction
from ombuds.mentions.actions import ingest_mentions
from ombuds.mentions.models import Source
from ombuds.metrics import rollup
from ombuds.pipeline.heap import tune_collector
from ombuds.pipeline.runner_inline import PipelineReport, run_stage_batch
from ombuds.pipeline.stages import STAGES
from ombuds_lab.pipeline_bench import DEFAULT_FILE, load_mentions, prepare_database, warm_up_mentions


class _CollectorClock:
    """CPU seconds the cycle collector spends, from its start and stop callbacks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mentions", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--from", dest="data_file", type=Path, default=DEFAULT_FILE)
    parser.add_argument(
        "--rollup", action="store_true", help="install the dashboard's session hooks, as a server does"
    )
    args = parser.parse_args()
    if not args.data_file.exists():
        print(json.dumps({"skipped": f"{args.data_file} not found"}))
        return
    tune_collector()  # as the ``ombuds`` commands that run the pipeline do
    if args.rollup:
        rollup.install()
    collector = _CollectorClock()
    gc.callbacks.append(collector)
    mentions = load_mentions(args.data_file, args.mentions)
    with tempfile.TemporaryDirectory(prefix="ombuds-stages-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        source_id = prepare_database(url, warm_up_mentions(mentions))
        engine = make_engine(url)
        factory = make_session_factory(engine)
        for start in range(0, len(mentions), 250):
            with transaction(factory) as session:
                source = session.get(Source, source_id)
                assert source is not None
                ingest_mentions(session, source=source, mentions=mentions[start : start + 250])
        report = PipelineReport()
        cpu: dict[str, float] = {}
        collected = collector.seconds
        for stage in STAGES:
            started = time.process_time()
            while run_stage_batch(factory, stage, batch_size=args.batch_size, now=utcnow(), report=report):
                pass
            cpu[stage.name] = time.process_time() - started
        engine.dispose()
    total = sum(cpu.values())
    per_mention = {name: round(1000 * seconds / len(mentions), 2) for name, seconds in cpu.items()}
    print(
        json.dumps(
            {
                "benchmark": "stages",
                "mentions": len(mentions),
                "rollup": args.rollup,
                "batch_size": args.batch_size,
                "cpu_ms_per_mention": per_mention,
                "total_cpu_ms_per_mention": round(1000 * total / len(mentions), 2),
                "mentions_per_cpu_second": round(len(mentions) / total, 1),
                "collector_cpu_seconds": round(collector.seconds - collected, 2),
                "failed": report.failed,
            }
        )
    )


if __name__ == "__main__":
    main()
