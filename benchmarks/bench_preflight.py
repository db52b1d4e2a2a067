"""How long a promise preflight takes on the airline data set (10,221 tweets to six airlines).

Imports the file into a fresh SQLite database in a temporary folder (``ombuds import --preset
airline``), runs the pipeline so every message has its analysis, then times ``preflight`` of a
punctuality claim over eight weeks ending just after the newest tweet: once with the encoder
cold (its model loaded first, then timed), once again with the same claim (vectors remembered),
and once with another claim over the same messages. Prints one JSON object.

    .venv/bin/python benchmarks/bench_preflight.py [--file PATH] [--max-read N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPOSITORY.parent / "shared" / "data" / "airline_dev.csv"
OMBUDS = Path(sys.executable).with_name("ombuds")
CLAIMS = ("Our flights leave and arrive on time, every time", "Your bags arrive with you")

_CREATE_BRAND = """
from ombuds.cli.base import open_database
from ombuds.db import transaction
from ombuds.accounts import actions
from ombuds.settings import get_settings
engine, factory = open_database(get_settings(), migrate=True)
with transaction(factory) as session:
    actions.create_brand(session, slug="bench", name="Benchmark")
engine.dispose()
"""


def _timed(session: object, brand_id: int, claim: str, now: object, max_read: int) -> dict[str, object]:
    from ombuds.promises.preflight import preflight

    started = time.perf_counter()
    found = preflight(session, brand_id=brand_id, text=claim, weeks=8, now=now, max_read=max_read)  # type: ignore[arg-type]
    return {
        "claim": claim,
        "seconds": round(time.perf_counter() - started, 1),
        "messages": found.messages,
        "read": found.read,
        "matches": found.matches,
        "contradicts": found.contradicts,
        "confirms": found.confirms,
        "alignment": found.alignment.score,
        "interval": [found.alignment.low, found.alignment.high],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--max-read", type=int, default=None)
    options = parser.parse_args()
    if not options.file.exists():
        print(json.dumps({"skipped": f"{options.file} not found"}))
        return
    with tempfile.TemporaryDirectory() as folder:
        os.environ["OMBUDS_DATA_DIR"] = folder
        env = dict(os.environ)
        subprocess.run([sys.executable, "-c", _CREATE_BRAND], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [str(OMBUDS), "import", str(options.file), "--brand", "bench", "--preset", "airline"],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run([str(OMBUDS), "pipeline", "run"], env=env, check=True, capture_output=True)
        loaded = time.perf_counter() - started

        from sqlalchemy import func, select

        from ombuds.accounts.queries import get_brand_by_slug_or_raise
        from ombuds.cli.base import open_database
        from ombuds.clock import as_utc
        from ombuds.mentions.models import Mention
        from ombuds.promises.encoder import default_encoder
        from ombuds.promises.preflight import MAX_READ
        from ombuds.settings import get_settings

        max_read = options.max_read or MAX_READ
        engine, factory = open_database(get_settings(), migrate=False)
        with factory() as session:
            brand = get_brand_by_slug_or_raise(session, "bench")
            newest = session.scalar(select(func.max(Mention.created_at)).where(Mention.brand_id == brand.id))
            assert newest is not None
            now = as_utc(newest) + timedelta(seconds=1)
            started = time.perf_counter()
            default_encoder().encode(["warm up"])
            model_seconds = time.perf_counter() - started
            runs = [
                _timed(session, brand.id, CLAIMS[0], now, max_read),
                _timed(session, brand.id, CLAIMS[0], now, max_read),
                _timed(session, brand.id, CLAIMS[1], now, max_read),
            ]
        engine.dispose()
    print(
        json.dumps(
            {
                "benchmark": "preflight",
                "file": options.file.name,
                "import_and_pipeline_seconds": round(loaded, 1),
                "model_load_seconds": round(model_seconds, 1),
                "max_read": max_read,
                "cold": runs[0],
                "same_claim_again": runs[1],
                "other_claim": runs[2],
                "load_average": os.getloadavg(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
