"""How long `ombuds import` takes for the airline data set (10,221 rows), first time and again.

Runs the real command in a fresh process against a fresh database in a temporary data folder,
so the time includes start-up, migrations and every batch's commit. Prints one JSON object.

    .venv/bin/python benchmarks/import_airline.py [--file PATH] [--database-url URL] [--repeat N]

With ``--database-url`` the database must be empty (the script migrates it); by default an
SQLite file in the temporary folder is used.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPOSITORY.parent / "shared" / "data" / "airline_dev.csv"
OMBUDS = Path(sys.executable).with_name("ombuds")


def run(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run([str(OMBUDS), *args], env=env, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}


def measure(path: Path, database_url: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "OMBUDS_DATA_DIR": folder}
        if database_url:
            env["OMBUDS_DATABASE_URL"] = database_url
        subprocess.run(
            [sys.executable, "-c", _CREATE_BRAND], env=env, check=True, capture_output=True, text=True
        )
        command = ["import", str(path), "--brand", "bench", "--preset", "airline", "--json"]
        first_seconds, first = run(command, env)
        again_seconds, again = run(command, env)
        started = time.perf_counter()
        subprocess.run([str(OMBUDS), "--version"], env=env, check=True, capture_output=True)
        startup_seconds = time.perf_counter() - started
    return {
        "first_seconds": round(first_seconds, 2),
        "again_seconds": round(again_seconds, 2),
        "cli_startup_seconds": round(startup_seconds, 2),
        "first": first,
        "again": again,
    }


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=1, help="fresh databases to measure (median)")
    options = parser.parse_args()
    if not options.file.exists():
        print(json.dumps({"skipped": f"{options.file} not found"}))
        return
    if options.database_url and options.repeat > 1:
        parser.error("--repeat needs a fresh database each time; use it with SQLite only")
    runs = [measure(options.file, options.database_url) for _ in range(options.repeat)]
    rows = runs[0]["first"]["read"] if isinstance(runs[0]["first"], dict) else None  # type: ignore[index]
    first = statistics.median(float(run["first_seconds"]) for run in runs)  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "import_airline",
                "file": options.file.name,
                "rows": rows,
                "database": "postgresql" if options.database_url else "sqlite",
                "first_import_seconds": first,
                "rows_per_second": round(rows / first) if isinstance(rows, int) and first else None,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
