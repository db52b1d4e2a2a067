"""How fast the dashboard's queries answer on a large desk: by default 300,000 cases and about
1,000,000 mentions over a year, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/bench_metrics.py [--cases 300000] [--repeat 3]
                                                [--database-url postgresql+psycopg://...]

Seeds a fresh database (a temporary SQLite file unless a URL is given; it must be empty) in bulk,
not through the pipeline: one customer and one case a case, its customer's messages and one brand
reply, a sentiment and a category on each customer message, the status changes of the event log
(nine in ten cases resolved, one in twenty of those reopened and resolved again), a survey for
each resolved case (a third answered). Then fills the per-case outcome rows the way the desk keeps
them (``metrics.rollup.rebuild``, as ``ombuds metrics rebuild`` does; timed apart). Then times each read of the dashboard for the last 7, 30
and 90 days: the outcomes (as the API answers them), the dashboard's whole read (outcomes, trend
and debt), the voice of the customer, and a figure's case list. Prints one JSON object: per query
the median and the slowest of ``--repeat`` warm runs, in milliseconds. The figures and the machine
they were taken on are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.db import make_engine, make_session_factory
from ombuds.enrichment.models import Enrichment
from ombuds.event_payloads import EventKind
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Direction, Mention, Stage
from ombuds.metrics import queries, rollup
from ombuds.metrics.trends import overview
from ombuds.metrics.voice import voice_of_the_customer
from ombuds.surveys.models import Survey

NOW = datetime(2026, 12, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
CHUNK = 20_000
CATEGORIES = ("lost luggage", "refund", "delay", "check-in", "seat", "meals", "wifi", "loyalty")
MOODS = ("negative", "negative", "neutral", "positive")


def _bulk(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])


def seed(session: Session, *, cases: int, rng: random.Random) -> int:
    """One brand with ``cases`` cases over the year before NOW; answers its id."""
    brand = accounts.create_brand(session, slug="larkspur", name="Larkspur")
    teams = [
        accounts.create_team(session, brand=brand, slug=s, name=s.title(), is_default=s == "care")
        for s in ("care", "baggage", "refunds")
    ]
    source = get_or_create_source(session, brand_id=brand.id, kind="bench", name="feed")
    session.flush()
    _bulk(
        session,
        Customer,
        [
            {"brand_id": brand.id, "display_name": f"Traveller {i}", "created_at": NOW - YEAR}
            for i in range(cases)
        ],
    )
    customer_ids = [
        row[0]
        for row in session.execute(
            Customer.__table__.select()
            .with_only_columns(Customer.id)
            .where(Customer.brand_id == brand.id)
            .order_by(Customer.id)
        )
    ]
    case_rows, plans = [], []
    for customer_id in customer_ids:
        opened = NOW - YEAR * rng.random()
        resolved = opened + timedelta(hours=rng.uniform(1, 120))
        is_resolved = resolved < NOW and rng.random() < 0.9
        reopened = is_resolved and rng.random() < 0.05
        status = CaseStatus.RESOLVED if is_resolved else CaseStatus.OPEN
        first_reply = opened + timedelta(minutes=rng.uniform(5, 600))
        case_rows.append(
            {
                "brand_id": brand.id,
                "customer_id": customer_id,
                "subject": "My bag never arrived",
                "channel": rng.choice(("x", "email", "facebook")),
                "status": status,
                "priority": rng.choice((1, 2, 3, 3, 3, 4)),
                "team_id": rng.choice(teams).id,
                "opened_at": opened,
                "last_activity_at": resolved if is_resolved else opened,
                "first_response_due_at": opened + timedelta(hours=4),
                "resolve_due_at": opened + timedelta(hours=48),
                "first_responded_at": first_reply if first_reply < NOW else None,
                "resolved_at": (resolved + timedelta(days=2) if reopened else resolved)
                if is_resolved
                else None,
                "handoffs": rng.choice((0, 0, 0, 1, 2)),
                "reopened": 1 if reopened else 0,
                "first_contact_resolution": (not reopened and rng.random() < 0.7) if is_resolved else None,
                "first_response_business_seconds": int((first_reply - opened).total_seconds())
                if first_reply < NOW
                else None,
                "resolution_business_seconds": int((resolved - opened).total_seconds())
                if is_resolved
                else None,
            }
        )
        plans.append((opened, resolved, is_resolved, reopened, first_reply))
    _bulk(session, Case, case_rows)
    case_ids = [
        row[0]
        for row in session.execute(
            Case.__table__.select()
            .with_only_columns(Case.id)
            .where(Case.brand_id == brand.id)
            .order_by(Case.id)
        )
    ]
    mentions, events, surveys = [], [], []
    for case_id, customer_id, (opened, resolved, is_resolved, reopened, first_reply) in zip(
        case_ids, customer_ids, plans, strict=True
    ):
        for n in range(rng.choice((1, 2, 2, 3, 3))):
            mentions.append(
                {
                    "brand_id": brand.id,
                    "source_id": source.id,
                    "external_id": f"{case_id}-{n}",
                    "channel": "x",
                    "direction": Direction.INBOUND,
                    "author_handle": f"t{customer_id}",
                    "author_followers": int(rng.paretovariate(1.2) * 50),
                    "text": f"{rng.choice(CATEGORIES)} trouble, case {case_id}",
                    "created_at": opened + timedelta(minutes=30 * n),
                    "received_at": opened + timedelta(minutes=30 * n),
                    "raw": b"",
                    "raw_format": "text",
                    "stage": Stage.DETECTED,
                    "customer_id": customer_id,
                    "case_id": case_id,
                }
            )
        if first_reply < NOW:
            mentions.append(
                {
                    "brand_id": brand.id,
                    "source_id": source.id,
                    "external_id": f"{case_id}-r",
                    "channel": "x",
                    "direction": Direction.OUTBOUND,
                    "author_handle": "larkspur",
                    "text": "We are on it",
                    "created_at": first_reply,
                    "received_at": first_reply,
                    "raw": b"",
                    "raw_format": "text",
                    "stage": Stage.DETECTED,
                    "customer_id": customer_id,
                    "case_id": case_id,
                }
            )
        if is_resolved:
            moves = [("new", "open", opened + timedelta(minutes=1)), ("open", "resolved", resolved)]
            if reopened:
                moves += [
                    ("resolved", "open", resolved + timedelta(days=1)),
                    ("open", "resolved", resolved + timedelta(days=2)),
                ]
            for before, after, at in moves:
                events.append(
                    {
                        "brand_id": brand.id,
                        "kind": EventKind.CASE_STATUS_CHANGED.value,
                        "subject_type": "case",
                        "subject_id": case_id,
                        "data": {"from": before, "to": after},
                        "occurred_at": at,
                    }
                )
            answered = rng.random() < 1 / 3
            surveys.append(
                {
                    "brand_id": brand.id,
                    "case_id": case_id,
                    "token": f"t{case_id}",
                    "subject": "My bag",
                    "first_name": "T",
                    "offered_at": resolved,
                    "expires_at": resolved + timedelta(days=14),
                    "score": rng.randint(1, 5) if answered else None,
                    "answered_at": resolved + timedelta(days=1) if answered else None,
                }
            )
    _bulk(session, Mention, mentions)
    _bulk(session, Event, events)
    _bulk(session, Survey, surveys)
    enrichments = []
    for mention_id, text in session.execute(
        Mention.__table__.select()
        .with_only_columns(Mention.id, Mention.text)
        .where(Mention.direction == Direction.INBOUND)
    ):
        enrichments.append(
            {
                "brand_id": brand.id,
                "mention_id": mention_id,
                "analyzer": "sentiment",
                "model_version": "bench",
                "label": rng.choice(MOODS),
                "score": 0.9,
                "data": {},
            }
        )
        enrichments.append(
            {
                "brand_id": brand.id,
                "mention_id": mention_id,
                "analyzer": "category",
                "model_version": "bench",
                "label": text.split(" trouble")[0],
                "score": 0.9,
                "data": {},
            }
        )
        if len(enrichments) >= CHUNK:
            _bulk(session, Enrichment, enrichments)
            enrichments = []
    _bulk(session, Enrichment, enrichments)
    print(
        f"seeded {len(case_rows)} cases, {len(mentions)} mentions, {len(events)} events, {len(surveys)} surveys",
        file=sys.stderr,
        flush=True,
    )
    return brand.id


def timed(run: Callable[[], object], repeat: int) -> dict[str, float]:
    run()  # warm the caches, as a desk in use has them
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def time_queries(session: Session, *, brand_id: int, repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for days in (7, 30, 90):
        scope = queries.Scope(brand_id=brand_id, start=NOW - timedelta(days=days), end=NOW)
        for name, run in (
            ("outcomes", lambda s=scope: queries.outcomes(session, s)),
            ("dashboard", lambda s=scope: overview(session, s)),
            ("voice", lambda s=scope: voice_of_the_customer(session, s)),
            ("reopened cases", lambda s=scope: queries.figure_case_ids(session, s, "reopened")),
        ):
            found = timed(run, repeat)
            print(f"{days} days {name}: median {found['median_ms']} ms", file=sys.stderr, flush=True)
            results[f"{days}d {name}"] = found
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database; a temporary SQLite file by default")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from ombuds.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        began = time.perf_counter()
        with factory.begin() as session:
            brand_id = seed(session, cases=args.cases, rng=random.Random(args.seed))
        seeded_s = time.perf_counter() - began
        began = time.perf_counter()
        with factory.begin() as session:
            rows = rollup.rebuild(session, brand_id=brand_id)
        rebuilt_s = time.perf_counter() - began
        print(f"filled {rows} outcome rows in {rebuilt_s:.1f} s", file=sys.stderr, flush=True)
        with factory() as session:
            session.connection().exec_driver_sql("ANALYZE")
            timings = time_queries(session, brand_id=brand_id, repeat=args.repeat)
        engine.dispose()
    print(
        json.dumps(
            {
                "database": engine.dialect.name,
                "cases": args.cases,
                "seed_seconds": round(seeded_s, 1),
                "outcome_rows_seconds": round(rebuilt_s, 1),
                "slowest_median_ms": max(t["median_ms"] for t in timings.values()),
                "queries": timings,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
