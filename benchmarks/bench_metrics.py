"""How fast the dashboard's reads answer on a large desk: by default 300,000 cases and 1,020,660
mentions (the customers' messages and the brand's replies) over a year, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/bench_metrics.py [--cases 30000] [--copies 10] [--repeat 3]
                                                [--keep bench.db | --database-url postgresql+psycopg://...]

Seeds one brand in bulk, not through the pipeline (``--cases``, default 30,000): one customer and
one case a case, its customer's messages (one to three, 2.4 on average) and one brand reply, a
sentiment and a category on each customer message, the status changes of the event log (nine in
ten cases resolved, one in twenty of those reopened and resolved again), a survey for each
resolved case (a third answered). Then fills the per-case outcome rows the way the desk keeps
them (``metrics.rollup.rebuild``, as ``ombuds metrics rebuild`` does; timed apart). Then copies
all of it ``--copies`` times over with SQL (ids shifted, times kept: the same year, denser),
outcome rows included, since seeding 300,000 cases one by one in Python takes over an hour; the
day rows (sums over all the copies) are then summed again from them. ``--keep PATH`` keeps the
SQLite file; a run given a file (or ``--database-url``) this benchmark filled before times it
again without seeding.

Then times, warm, each read of the dashboard for the last 7, 30, 90 and 365 days (``--periods``) of
the brand's time zone (``--timezone``: UTC, whose days are the day rows', or a zone whose periods
read their partial days from the outcome rows):
the outcomes (as the API answers them), the dashboard's trend read (outcomes, each bucket's and
the debt at each bucket's end), the voice of the customer, the breakdown by team, one figure's
case list, and every read the /dashboard page makes, for the brand and for one team. Prints the
table of medians of ``--repeat`` runs (stderr) and one JSON object: per read the median and the
slowest, in milliseconds, the load average at the end. The figures and the machine they were
taken on are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Team
from ombuds.accounts.queries import list_teams
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.db import Base, make_engine, make_session_factory
from ombuds.enrichment.models import Enrichment
from ombuds.event_payloads import EventKind
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Direction, Mention, Stage
from ombuds.metrics import pages, queries, rollup
from ombuds.metrics.periods import last_days
from ombuds.metrics.trends import overview
from ombuds.metrics.voice import voice_of_the_customer
from ombuds.surveys.models import Survey

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SLUG = "larkspur"
#: the periods timed: the dashboard's choices (metrics.pages.PERIODS)
PERIODS = [7, 30, 90, 365]
YEAR = timedelta(days=365)
CHUNK = 20_000
CATEGORIES = ("lost luggage", "refund", "delay", "check-in", "seat", "meals", "wifi", "loyalty")
MOODS = ("negative", "negative", "neutral", "positive")


def _bulk(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])


def seed(session: Session, *, cases: int, rng: random.Random) -> int:
    """One brand with ``cases`` cases over the year before NOW; answers its id."""
    brand = accounts.create_brand(session, slug=SLUG, name="Larkspur")
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
        for n in range(rng.choice((1, 2, 3, 3, 3))):
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
    for mention_id, written in session.execute(
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
                "label": written.split(" trouble")[0],
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


#: the tables a seeded case's rows live in, in the order they refer to each other, and for each the
#: columns that name a row of another (or its own id): a copy shifts them all by that table's size
COPIED = {
    "customer": {"id": "customer"},
    "case": {"id": "case", "customer_id": "customer"},
    "mention": {"id": "mention", "customer_id": "customer", "case_id": "case"},
    "event": {"id": "event", "subject_id": "case"},
    "survey": {"id": "survey", "case_id": "case"},
    "enrichment": {"id": "enrichment", "mention_id": "mention"},
    # the dashboard's rows: a copy of a case's facts has the copy of its rows (the times are kept)
    "case_outcome": {"case_id": "case"},
    "case_open_span": {"id": "case_open_span", "case_id": "case"},
    "mention_voice": {"mention_id": "mention", "case_id": "case"},
}
#: columns unique in their table: each copy's values get a suffix
SUFFIXED = {("mention", "external_id"), ("survey", "token"), ("customer", "display_name")}


def replicate(session: Session, *, brand_id: int, copies: int) -> None:
    """Make the brand's cases ``copies`` times as many: every case with its customer, messages,
    findings, status events, survey and outcome rows copied with ``INSERT ... SELECT``, ids shifted
    past the originals and times kept (the same year, denser). Seeding case by case in Python
    takes over an hour at 300,000 cases; this takes minutes."""
    tables = {name: Base.metadata.tables[name] for name in COPIED}
    size = {
        name: session.scalar(select(func.max(tables[name].c.id))) or 0
        for name in ("customer", "case", "mention", "event", "survey", "enrichment", "case_open_span")
    }
    for copy in range(1, copies):
        for name, shifted in COPIED.items():
            table = tables[name]
            columns = list(table.columns)
            values = [
                column + copy * size[shifted[column.name]]
                if column.name in shifted
                else column + f"-{copy}"
                if (name, column.name) in SUFFIXED
                else column
                for column in columns
            ]
            key = table.c.id if "id" in table.c else table.c[next(iter(shifted))]
            originals = select(*values).where(key <= size[shifted[key.name]])
            if name == "event":
                originals = originals.where(table.c.subject_type == "case")
            if "brand_id" in table.c:
                originals = originals.where(table.c.brand_id == brand_id)
            session.execute(insert(table).from_select([c.name for c in columns], originals))
        print(f"copy {copy + 1} of {copies}", file=sys.stderr, flush=True)
    if session.get_bind().dialect.name == "postgresql":  # the next row of each table after the copies
        for name in size:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT max(id) FROM \"{name}\"))"
                )
            )


def timed(run: Callable[[], object], repeat: int) -> dict[str, float]:
    """Wall time (median and slowest) and this process's CPU time (median: on a machine others
    share, what the read itself cost; the page's reads on threads add up theirs)."""
    run()  # warm the caches, as a desk in use has them
    times, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
    }


def page_reads(factory: sessionmaker[Session], session: Session, scope: queries.Scope) -> None:
    """Every read the /dashboard page makes (metrics.pages.dashboard), the team breakdown shown: the
    filters' own lists on the request's session, the rest at once on sessions of their own."""
    list_teams(session, scope.brand_id)
    pages._agents(session, scope.brand_id)
    pages.page_reads(factory, scope, pages.DEFAULT_BREAKDOWN)


def time_queries(
    factory: sessionmaker[Session],
    session: Session,
    *,
    brand_id: int,
    repeat: int,
    periods: list[int] = PERIODS,
    timezone: str = "UTC",
) -> dict[str, Any]:
    team_id = session.scalar(select(Team.id).where(Team.brand_id == brand_id).order_by(Team.id))
    results: dict[str, Any] = {}
    for days in periods:
        # the dashboard's "last N days" on NOW's eve: the brand's days, the day rows' UTC days or not
        start, end = last_days(NOW - timedelta(seconds=1), days, timezone=timezone)
        scope = queries.Scope(brand_id=brand_id, start=start, end=end, timezone=timezone)
        one_team = replace(scope, team_id=team_id)
        for name, run in (
            ("outcomes", lambda s=scope: queries.outcomes(session, s)),
            ("dashboard", lambda s=scope: overview(session, s)),
            ("voice", lambda s=scope: voice_of_the_customer(session, s)),
            ("breakdown", lambda s=scope: queries.breakdown(session, s, "team")),
            ("reopened cases", lambda s=scope: queries.figure_case_ids(session, s, "reopened")),
            ("page", lambda s=scope: page_reads(factory, session, s)),
            ("page, one team", lambda s=one_team: page_reads(factory, session, s)),
        ):
            found = timed(run, repeat)
            print(
                f"{days} days {name}: median {found['median_ms']} ms (CPU {found['cpu_ms']} ms)",
                file=sys.stderr,
                flush=True,
            )
            results[f"{days}d {name}"] = found
    return results


def table(timings: dict[str, Any], periods: list[int]) -> str:
    """The medians as docs/performance.md shows them: a read a row, a period a column."""
    reads = dict.fromkeys(key.split(" ", 1)[1] for key in timings)
    lines = [
        "| read | " + " | ".join(f"{days} days (ms)" for days in periods) + " |",
        "|---" * (len(periods) + 1) + "|",
    ]
    for read in reads:
        cells = [f"{timings[f'{days}d {read}']['median_ms']:,.0f}" for days in periods]
        lines.append(f"| {read} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def build(
    factory: sessionmaker[Session], *, cases: int, copies: int, rng_seed: int
) -> tuple[int, dict[str, float]]:
    """Seed ``cases`` cases, fill their outcome rows as the desk does, then copy them ``copies``
    times over; answers the brand's id and the seconds each step took."""
    spent: dict[str, float] = {}
    began = time.perf_counter()
    with factory.begin() as session:
        brand_id = seed(session, cases=cases, rng=random.Random(rng_seed))
    spent["seed_seconds"] = time.perf_counter() - began
    began = time.perf_counter()
    with factory.begin() as session:
        rows = rollup.rebuild(session, brand_id=brand_id)
    spent["outcome_rows_seconds"] = time.perf_counter() - began
    print(f"filled {rows} outcome rows in {spent['outcome_rows_seconds']:.1f} s", file=sys.stderr, flush=True)
    if copies > 1:
        began = time.perf_counter()
        with factory.begin() as session:
            replicate(session, brand_id=brand_id, copies=copies)
        spent["copy_seconds"] = time.perf_counter() - began
        # the day rows are sums over the copies too: summed again, as `ombuds metrics rebuild` does
        began = time.perf_counter()
        with factory.begin() as session:
            rollup.rebuild_days(session, brand_id=brand_id)
            rollup.rebuild_voice_days(session, brand_id=brand_id)
        spent["day_rows_seconds"] = time.perf_counter() - began
    return brand_id, {name: round(value, 1) for name, value in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--cases", type=int, default=30_000, help="cases seeded one by one (default 30,000)")
    parser.add_argument(
        "--copies", type=int, default=10, help="the seeded cases copied this many times over (default 10)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--periods", default=",".join(map(str, PERIODS)), help="days, comma-separated")
    parser.add_argument("--database-url", help="a database to fill, or one this benchmark filled before")
    parser.add_argument(
        "--keep", type=Path, help="a SQLite file to fill and keep, or to time again if filled"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--timezone",
        default="UTC",
        help="the brand's time zone, where its days begin (default UTC, the day rows' own days)",
    )
    args = parser.parse_args()
    periods = [int(days) for days in args.periods.split(",")]
    from ombuds.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{args.keep or Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            brand_id = session.scalar(select(Brand.id).where(Brand.slug == SLUG))
        spent: dict[str, float] = {}
        if brand_id is None:
            brand_id, spent = build(factory, cases=args.cases, copies=args.copies, rng_seed=args.seed)
            # as a desk in use has them: statistics taken, and on PostgreSQL the visibility map
            # set, so index-only scans need not visit the freshly written rows (autovacuum's work)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                analyze = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
                connection.exec_driver_sql(analyze)
        else:
            print("timing the desk filled before", file=sys.stderr, flush=True)
        with factory() as session:
            size = {
                "cases": session.scalar(
                    select(func.count()).select_from(Case).where(Case.brand_id == brand_id)
                ),
                "mentions": session.scalar(
                    select(func.count()).select_from(Mention).where(Mention.brand_id == brand_id)
                ),
            }
            timings = time_queries(
                factory,
                session,
                brand_id=brand_id,
                repeat=args.repeat,
                periods=periods,
                timezone=args.timezone,
            )
        engine.dispose()
    print(table(timings, periods), file=sys.stderr)
    print(
        json.dumps(
            {
                "database": engine.dialect.name,
                "timezone": args.timezone,
                **size,
                **spent,
                "load_average": [round(load, 2) for load in os.getloadavg()],
                "slowest_median_ms": max(t["median_ms"] for t in timings.values()),
                "queries": timings,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
