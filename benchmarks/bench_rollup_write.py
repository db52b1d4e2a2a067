"""What keeping the dashboard's rows costs a transaction: the CPU of refreshing some of the last
day's cases and their messages (``rollup.refresh_case_outcomes`` and ``refresh_mention_voice``)
with the day rows and without, on a desk ``bench_metrics.py --keep`` built.

    .venv/bin/python benchmarks/bench_rollup_write.py bench.db [--cases 100] [--runs 7]

Two transactions, each run ``--runs`` times and rolled back: the cases as they are (a refresh
that finds nothing new), and the cases each handed to another team with one handoff more. Prints
the median, fastest and slowest CPU milliseconds of each (nothing is written to the file).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from pathlib import Path

from bench_metrics import NOW
from sqlalchemy import func, select, update

from ombuds.cases.models import Case
from ombuds.db import make_engine, make_session_factory
from ombuds.mentions.models import Mention
from ombuds.metrics import rollup
from ombuds.metrics.outcome_models import CaseOutcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path, help="a SQLite file bench_metrics.py --keep filled")
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    factory = make_session_factory(make_engine(f"sqlite:///{args.database}"))
    with factory() as session:
        ids = list(
            session.scalars(
                select(CaseOutcome.case_id)
                .where(CaseOutcome.opened_at >= NOW - timedelta(days=1))
                .limit(args.cases)
            )
        )
        messages = list(session.scalars(select(Mention.id).where(Mention.case_id.in_(ids))))
        team = session.scalar(select(func.max(Case.team_id)))
        print(f"{len(ids)} cases, {len(messages)} messages")
        for changed in (False, True):
            took: dict[bool, list[float]] = {False: [], True: []}
            for days in (False, True) * args.runs:
                if changed:
                    moved = update(Case).where(Case.id.in_(ids))
                    session.execute(moved.values(handoffs=Case.handoffs + 1, team_id=team))
                started = time.process_time()
                rollup.refresh_case_outcomes(session, ids, days=days)
                rollup.refresh_mention_voice(session, messages, days=days)
                took[days].append((time.process_time() - started) * 1000)
                session.rollback()
            for days, cpu in took.items():
                print(
                    f"{'handed over' if changed else 'as they are'}, day rows {'kept' if days else 'not kept'}: "
                    f"CPU median {statistics.median(cpu):.0f} ms, {min(cpu):.0f} to {max(cpu):.0f} ms"
                )


if __name__ == "__main__":
    main()
