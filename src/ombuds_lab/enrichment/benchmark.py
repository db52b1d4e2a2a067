"""Speed and memory of the full analysis path, measured on real messages (``ombuds bench enrichment``).

Each message is analyzed once (no repeats that would flatter the caches), in batches like the
pipeline's, after the engine is loaded; load time and peak resident memory are reported apart.
"""

from __future__ import annotations

import csv
import os
import platform
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ombuds.enrichment.base import MentionFacts
from ombuds.enrichment.engine import build_engine
from ombuds.enrichment.training import DataError

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
DEFAULT_SOURCES = ("airline_dev.csv", "twcs_spotifycares_inbound_dev.csv", "tweeteval_sentiment_test.csv")


def read_messages(paths: list[Path], *, text_col: str, limit: int) -> list[MentionFacts]:
    """Messages from CSV files, in file order, each text once, up to ``limit``."""
    seen: set[str] = set()
    messages: list[MentionFacts] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if text_col not in (reader.fieldnames or []):
                raise DataError(f"{path}: no column {text_col!r}")
            for row in reader:
                text = row[text_col]
                if text and text not in seen:
                    seen.add(text)
                    followers = row.get("user_followers_count") or row.get("followers") or ""
                    messages.append(
                        MentionFacts(
                            text,
                            author_followers=int(followers) if followers.isdigit() else None,
                            metrics={"retweets": int(row["retweet_count"])}
                            if (row.get("retweet_count") or "").isdigit()
                            else {},
                        )
                    )
                    if len(messages) >= limit:
                        return messages
    return messages


def default_sources() -> list[Path]:
    found = [SHARED_DATA / name for name in DEFAULT_SOURCES if (SHARED_DATA / name).exists()]
    if not found:
        raise DataError(f"no messages to measure on: pass --from FILE.csv (looked in {SHARED_DATA})")
    return found


def run_benchmark(
    *,
    count: int,
    batch_size: int,
    sources: list[Path] | None = None,
    text_col: str = "text",
    workers: int = 1,
) -> dict[str, Any]:
    """One process, or ``workers`` processes each taking an equal share (as the distributed runner does)."""
    messages = read_messages(sources or default_sources(), text_col=text_col, limit=count)
    if workers <= 1:
        result = _measure(messages, batch_size)
    else:
        shares = [messages[index::workers] for index in range(workers)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            parts = list(pool.map(_measure, shares, [batch_size] * workers))
        seconds = max(part["finished_at"] for part in parts) - min(part["started_at"] for part in parts)
        result = {
            "seconds": round(seconds, 3),
            "messages_per_second": round(len(messages) / seconds, 1),
            "cpu_seconds": round(sum(part["cpu_seconds"] for part in parts), 3),
            "load_seconds": max(part["load_seconds"] for part in parts),
            "peak_rss_mb": max(part["peak_rss_mb"] for part in parts),
            "analyzers": parts[0]["analyzers"],
        }
        result["messages_per_cpu_second"] = round(len(messages) / result["cpu_seconds"], 1)
    return {
        "messages": len(messages),
        "batch_size": batch_size,
        "workers": max(1, workers),
        **{key: value for key, value in result.items() if key not in {"started_at", "finished_at"}},
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
    }


def _measure(messages: list[MentionFacts], batch_size: int) -> dict[str, Any]:
    """Load an engine, then time it over the messages (wall and CPU); peak memory of this process."""
    started = time.perf_counter()
    engine = build_engine()
    engine.analyze(messages[:10])  # lazily loaded parts (the language model) are part of loading
    load_seconds = time.perf_counter() - started
    # Workers wait for each other's loading through the clock: overall time is first start to last end.
    started_at = time.time()
    started = time.perf_counter()
    cpu_started = time.process_time()
    for start in range(0, len(messages), batch_size):
        engine.analyze(messages[start : start + batch_size])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "seconds": round(seconds, 3),
        "messages_per_second": round(len(messages) / seconds, 1),
        # On a shared machine wall time includes waiting for a core; CPU time does not.
        "cpu_seconds": round(cpu_seconds, 3),
        "messages_per_cpu_second": round(len(messages) / cpu_seconds, 1),
        "load_seconds": round(load_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "analyzers": engine.versions,
        "started_at": started_at,
        "finished_at": started_at + seconds,
    }
