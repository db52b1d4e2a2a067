"""How fast search and the inbox answer on 100,000 mentions (or a million): SQLite FTS5, or
PostgreSQL full text with its GIN index.

    .venv/bin/python benchmarks/bench_search.py [--mentions 100000] [--repeat 15]
                                               [--database-url postgresql+psycopg://...]

Seeds a fresh database (a temporary SQLite file unless a URL is given; the URL's database must be
empty) with two brands, customers, cases and mentions written in bulk, not through the pipeline,
then times each query of ``QUERIES`` through the same read the API uses (``search.queries.search``,
20 results with snippets and the total) and the inbox's narrowing (``matching_case_ids``), and each
page of ``PAGES``: the inbox's first page of open cases (``list_open_cases``, as the page and the
API read it) in each sort, filtered, deep, narrowed by a search and masked for a viewer. Prints
one JSON object: per query and page the median and the slowest of ``--repeat`` warm runs, in
milliseconds.
The figures and the machine they were taken on are in docs/performance.md.
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

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Team
from ombuds.cases.models import Case, CaseStatus, Customer, Identity
from ombuds.cases.queries import list_open_cases
from ombuds.cases.reach import refresh_reach
from ombuds.cases.values import InboxSort
from ombuds.db import make_engine, make_session_factory
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Mention
from ombuds.migrate import upgrade
from ombuds.planner_statistics import refresh_statistics
from ombuds.search import queries
from ombuds.search.query import parse_query

QUERIES = (
    "bag",
    "lost bag",
    '"lost my bag"',
    "refund cancelled flight",
    "porto",
    "from:traveller4242",
    "category:baggage",
    "category:lost",
    "team:baggage status:open delayed",
    "delayed after:2026-11-20",
    "zzzznothing",
)
#: The inbox's pages: name -> (``list_open_cases`` options, a search narrowing it or None).
PAGES: dict[str, tuple[dict[str, Any], str | None]] = {
    "first page (most urgent first)": ({}, None),
    "longest waiting first": ({"sort": InboxSort.AGE}, None),
    "nearest deadline first": ({"sort": InboxSort.SLA}, None),
    "widest reach first": ({"sort": InboxSort.REACH}, None),
    "one team, new cases": ({"team": "baggage", "status": CaseStatus.NEW}, None),
    "page 100": ({"offset": 4950}, None),
    "narrowed by a search (lost bag)": ({}, "lost bag"),
    "masked for a viewer": ({"mask_pii": True}, None),
}
PLACES = ("Lisbon", "Porto", "Denver", "Boston", "Madrid", "Oslo", "Nairobi", "Lima", "Osaka", "Quito")
OPENINGS = ("@LarkspurAir", "Hey @LarkspurAir", "@LarkspurAir why", "Dear @LarkspurAir,")
COMPLAINTS = (
    "you lost my bag on the flight to {place} and nobody at the desk knows where it is",
    "my flight to {place} was delayed four hours with no information",
    "still waiting for the refund for my cancelled flight to {place}",
    "the app crashed at check-in for {place} and I nearly missed boarding",
    "the crew on the {place} flight were wonderful, thank you",
    "my seat was changed without asking on the way to {place}",
    "the bag came back from {place} with a broken wheel",
    "charged twice for the same booking to {place}",
    "the lounge in {place} refused the voucher you gave me",
    "is the {place} flight on time today?",
)
CATEGORIES = ("Lost Luggage", "Damaged Luggage", "Flight Delays", "Refunds", "Flight Booking Problems")
BATCH = 5_000


def seed(session: Session, *, mentions: int, rng: random.Random) -> int:
    """Two brands (search reads one), ~mentions/2.5 cases; answers the searched brand's id."""
    brands = [accounts.create_brand(session, slug=slug, name=slug.title()) for slug in ("larkspur", "rail")]
    teams = [
        accounts.create_team(session, brand=brand, slug=slug, name=slug.title(), is_default=slug == "care")
        for brand in brands
        for slug in ("care", "baggage")
    ]
    sources = [get_or_create_source(session, brand_id=b.id, kind="bench", name="feed") for b in brands]
    session.flush()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    people = max(1, mentions // 5)
    for brand_index, brand in enumerate(brands):
        share = people if brand_index == 0 else people // 10
        session.execute(
            insert(Customer),
            [
                {"brand_id": brand.id, "display_name": f"Traveller {i}", "created_at": start}
                for i in range(share)
            ],
        )
    session.flush()
    customer_rows = session.execute(Customer.__table__.select().order_by(Customer.id)).all()
    customers = {b.id: [row.id for row in customer_rows if row.brand_id == b.id] for b in brands}
    session.execute(
        insert(Identity),
        [
            {
                "brand_id": row.brand_id,
                "customer_id": row.id,
                "channel": "x",
                "handle": f"traveller{row.id}",
                "followers": int(rng.lognormvariate(5, 2)),  # most a few hundred, a few famous
            }
            for row in customer_rows
        ],
    )
    cases: dict[int, list[tuple[int, int]]] = {}  # brand id -> (case id, customer id)
    for brand in brands:
        brand_teams = [t.id for t in teams if t.brand_id == brand.id]
        rows = [
            {
                "brand_id": brand.id,
                "customer_id": customer_id,
                "subject": "bench",
                "channel": "x",
                "status": rng.choice(list(CaseStatus)),
                "priority": rng.randint(1, 4),
                "team_id": rng.choice(brand_teams),
                "opened_at": start,
                "last_activity_at": start,
            }
            for customer_id in customers[brand.id]
            for _ in range(2)
        ]
        session.execute(insert(Case), rows)
    session.flush()
    refresh_reach(session, customer_ids=[row.id for row in customer_rows])
    for row in session.execute(Case.__table__.select().order_by(Case.id)).all():
        cases.setdefault(row.brand_id, []).append((row.id, row.customer_id))
    written = 0
    while written < mentions:
        rows = []
        for _ in range(min(BATCH, mentions - written)):
            brand = brands[0] if rng.random() < 0.9 else brands[1]
            case_id, customer_id = rng.choice(cases[brand.id])
            text = (
                f"{rng.choice(OPENINGS)} {rng.choice(COMPLAINTS).format(place=rng.choice(PLACES))} #{written}"
            )
            rows.append(
                {
                    "brand_id": brand.id,
                    "source_id": sources[brand.id == brands[1].id].id,
                    "external_id": f"bench-{written}",
                    "channel": "x",
                    "author_handle": f"traveller{customer_id}",
                    "text": text,
                    "metrics": {},
                    "created_at": start + timedelta(minutes=written // 3),
                    "raw": b"{}",
                    "raw_format": "json",
                    "customer_id": customer_id,
                    "case_id": case_id,
                }
            )
            written += 1
        ids = session.scalars(insert(Mention).returning(Mention.id), rows).all()
        session.execute(
            insert(Enrichment),
            [
                {
                    "brand_id": row["brand_id"],
                    "mention_id": mention_id,
                    "analyzer": "category",
                    "model_version": "bench",
                    "label": rng.choice(CATEGORIES),
                    "score": 0.9,
                    "data": {},
                }
                for mention_id, row in zip(ids, rows, strict=True)
            ],
        )
    return brands[0].id


def server_cpu_ns(session: Session) -> Callable[[], int] | None:
    """The CPU time the PostgreSQL backend serving this session has used, where it runs here.

    Read from ``/proc/PID/schedstat`` (nanoseconds on a CPU): unlike wall time, what other work
    on a shared machine does not add. None on SQLite, or a server on another machine.
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    stat = Path(f"/proc/{pid}/schedstat")
    if not stat.exists():
        return None
    return lambda: int(stat.read_text().split()[0])


def timed(session: Session, run: Callable[[], Any], *, repeat: int, label: str) -> tuple[dict[str, Any], Any]:
    """Median and slowest of ``repeat`` warm runs of ``run`` (wall, this process's CPU, and the
    PostgreSQL backend's CPU where it runs here), and the last answer."""
    server_ns = server_cpu_ns(session)
    run()  # warm the caches, as a desk in use has them
    times, cpu, server = [], [], []
    for _ in range(repeat):
        began_server = server_ns() if server_ns else 0
        began, began_cpu = time.perf_counter(), time.process_time()
        answer = run()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        if server_ns:
            server.append((server_ns() - began_server) / 1e6)
    on_server = f", server {statistics.median(server):.1f} ms CPU" if server else ""
    print(
        f"{label}: median {statistics.median(times):.1f} ms, {statistics.median(cpu):.1f} ms CPU{on_server}",
        file=sys.stderr,
        flush=True,
    )
    return {
        "median_ms": round(statistics.median(times), 1),
        # this process's CPU time: SQLite's whole work, and what a busy machine's other
        # processes do not add (PostgreSQL's own work is not in it)
        "median_cpu_ms": round(statistics.median(cpu), 1),
        # the PostgreSQL backend's CPU time, where the server runs on this machine
        **({"median_server_cpu_ms": round(statistics.median(server), 1)} if server else {}),
        "max_ms": round(max(times), 1),
    }, answer


def time_queries(session: Session, *, brand_id: int, repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for text in QUERIES:
        query = parse_query(text)
        for name, run in (
            ("search", lambda q=query: queries.search(session, q, brand_id=brand_id, limit=20)),
            ("inbox", lambda q=query: queries.matching_case_ids(session, q, brand_id=brand_id)),
        ):
            timing, answer = timed(session, run, repeat=repeat, label=f"{text!r} {name}")
            found = answer.total if name == "search" else len(answer)
            results.setdefault(text, {})[name] = {**timing, "found": found}
    return results


def time_pages(session: Session, *, brand_id: int, repeat: int) -> dict[str, Any]:
    """The inbox's page of open cases, as the page and the API read it, for each of ``PAGES``."""
    teams = {team.slug: team.id for team in session.scalars(select(Team).where(Team.brand_id == brand_id))}
    results: dict[str, Any] = {}
    for name, (options, search) in PAGES.items():
        chosen = dict(options)
        if "team" in chosen:
            chosen["team_id"] = teams[chosen.pop("team")]

        def run(chosen: dict[str, Any] = chosen, search: str | None = search) -> Any:
            narrowed = (
                queries.matching_case_ids(session, parse_query(search), brand_id=brand_id)
                if search is not None
                else None
            )
            return list_open_cases(
                session, brand_id=brand_id, brand_slug="larkspur", only_case_ids=narrowed, **chosen
            )

        timing, page = timed(session, run, repeat=repeat, label=f"inbox page, {name}")
        results[name] = {**timing, "listed": len(page.items), "total": page.total}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", help="an empty database; a temporary SQLite file by default")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        began = time.perf_counter()
        with factory.begin() as session:
            brand_id = seed(session, mentions=args.mentions, rng=random.Random(args.seed))
        seeded_s = time.perf_counter() - began
        if engine.dialect.name == "postgresql":
            # what autovacuum does within a minute of a bulk load on a live desk: statistics, the
            # visibility map, and the GIN index's pending list merged (left unmerged, up to 4 MB
            # of it is read through by every search: 27 ms of server CPU for a word nobody wrote)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        refresh_statistics(engine)  # on SQLite, what ``ombuds serve``'s runner does within the hour
        with factory() as session:
            timings = time_queries(session, brand_id=brand_id, repeat=args.repeat)
            pages = time_pages(session, brand_id=brand_id, repeat=args.repeat)
        engine.dispose()
    slowest = max(t["search"]["median_ms"] for t in timings.values())
    slowest_cpu = max(t["search"]["median_cpu_ms"] for t in timings.values())
    print(
        json.dumps(
            {
                "database": engine.dialect.name,
                "mentions": args.mentions,
                "seed_seconds": round(seeded_s, 1),
                "slowest_search_median_ms": slowest,
                "slowest_search_median_cpu_ms": slowest_cpu,
                "queries": timings,
                "slowest_inbox_page_median_ms": max(t["median_ms"] for t in pages.values()),
                "inbox_pages": pages,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
