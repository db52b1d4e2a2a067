"""How long a retention purge holds the embedded (SQLite) database: seconds per committed batch.

    .venv/bin/python benchmarks/bench_purge.py [--mentions 200000] [--batch-size 1000]

Seeds a fresh SQLite database with year-old messages (each with eight analysis rows, one case and
one reply per four messages), purges them with a one-month retention and prints one JSON object:
messages per second and the longest batch, which is the longest any other writer waits.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_brand
from ombuds.cases.models import Case, Customer
from ombuds.clock import utcnow
from ombuds.db import make_engine, make_session_factory
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Mention
from ombuds.migrate import upgrade
from ombuds.privacy.actions import PurgeCounts
from ombuds.privacy.purge import purge_brand
from ombuds.privacy.queries import daily_metrics
from ombuds.privacy.retention import BATCH_SIZE
from ombuds.responses.models import Reply

ANALYZERS = ("sentiment", "category", "intent", "language", "signals", "pii", "reach", "embedding")
SEED_CHUNK = 10_000


def seed(factory: sessionmaker[Session], mentions: int) -> int:
    old = utcnow() - timedelta(days=400)
    with factory.begin() as session:
        brand = create_brand(session, slug="bench", name="Bench")
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
        brand_id, source_id = brand.id, source.id
    for start in range(0, mentions, SEED_CHUNK):
        count = min(SEED_CHUNK, mentions - start)
        with factory.begin() as session:
            customers = list(
                session.scalars(
                    insert(Customer).returning(Customer.id),
                    [{"brand_id": brand_id, "display_name": f"c{start + i}"} for i in range(0, count, 4)],
                )
            )
            cases = list(
                session.scalars(
                    insert(Case).returning(Case.id),
                    [
                        {
                            "brand_id": brand_id,
                            "customer_id": c,
                            "subject": "bag",
                            "channel": "twitter",
                            "opened_at": old,
                            "last_activity_at": old,
                        }
                        for c in customers
                    ],
                )
            )
            session.execute(
                insert(Reply),
                [
                    {
                        "brand_id": brand_id,
                        "case_id": c,
                        "visibility": "public",
                        "channel": "twitter",
                        "text": "sorry",
                        "idempotency_key": f"r{c}",
                    }
                    for c in cases
                ],
            )
            ids = list(
                session.scalars(
                    insert(Mention).returning(Mention.id),
                    [
                        {
                            "brand_id": brand_id,
                            "source_id": source_id,
                            "external_id": f"m{start + i}",
                            "channel": "twitter",
                            "author_handle": f"c{start + i // 4}",
                            "text": "my bag is lost again",
                            "created_at": old + timedelta(seconds=start + i),
                            "raw": b"{}",
                            "raw_format": "json",
                            "stage": "done",
                            "customer_id": customers[i // 4],
                            "case_id": cases[i // 4],
                        }
                        for i in range(count)
                    ],
                )
            )
            session.execute(
                insert(Enrichment),
                [
                    {
                        "brand_id": brand_id,
                        "mention_id": m,
                        "analyzer": a,
                        "model_version": "1",
                        "label": "negative" if a == "sentiment" else "baggage",
                    }
                    for m in ids
                    for a in ANALYZERS
                ],
            )
    return brand_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        brand_id = seed(factory, args.mentions)
        with factory() as session:
            before = daily_metrics(session, brand_id)
        batches: list[float] = []
        last = time.perf_counter()

        def timed(_: PurgeCounts) -> None:
            nonlocal last
            now = time.perf_counter()
            batches.append(now - last)
            last = now

        started = time.perf_counter()
        done = purge_brand(factory, brand_id=brand_id, months=1, batch_size=args.batch_size, on_batch=timed)
        seconds = time.perf_counter() - started
        with factory() as session:
            left = session.scalar(select(func.count()).select_from(Mention))
            same = daily_metrics(session, brand_id) == before
        engine.dispose()
    batches.sort()
    print(
        json.dumps(
            {
                "mentions": done.mentions,
                "cases": done.cases,
                "left": left,
                "metrics_unchanged": same,
                "seconds": round(seconds, 2),
                "mentions_per_second": round(done.mentions / seconds),
                "batch_size": args.batch_size,
                "batches": len(batches),
                "batch_p50_ms": round(batches[len(batches) // 2] * 1000),
                "batch_max_ms": round(batches[-1] * 1000),
            }
        )
    )


if __name__ == "__main__":
    main()
