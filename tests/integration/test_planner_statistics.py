"""SQLite's planner gets statistics, so the inbox reads a case's messages through the case's index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from ombuds import planner_statistics
from ombuds.accounts.models import Brand
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Mention
from ombuds.planner_statistics import GROWTH, SMALL, keep_statistics, refresh_statistics

START = datetime(2026, 11, 1, tzinfo=UTC)


def add_messages(session: Session, brand: Brand, count: int, *, first: int = 0) -> list[int]:
    """``count`` messages of one brand spread over cases of three messages each; the cases' ids."""
    source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
    people = session.scalars(
        insert(Customer).returning(Customer.id),
        [{"brand_id": brand.id, "display_name": f"Traveller {i}"} for i in range(count // 3 + 1)],
    ).all()
    cases = session.scalars(
        insert(Case).returning(Case.id),
        [
            {
                "brand_id": brand.id,
                "customer_id": person,
                "subject": "bag",
                "channel": "x",
                "status": CaseStatus.OPEN,
                "opened_at": START,
                "last_activity_at": START,
            }
            for person in people
        ],
    ).all()
    session.execute(
        insert(Mention),
        [
            {
                "brand_id": brand.id,
                "source_id": source.id,
                "external_id": f"m{first + number}",
                "channel": "x",
                "author_handle": f"traveller{number // 3}",
                "text": "where is my bag",
                "metrics": {},
                "created_at": START + timedelta(minutes=first + number),
                "raw": b"{}",
                "raw_format": "json",
                "customer_id": people[number // 3],
                "case_id": cases[number // 3],
            }
            for number in range(count)
        ],
    )
    session.commit()
    return list(cases)


def plan_of_a_page(engine: Engine, brand: Brand, cases: list[int]) -> str:
    """How SQLite reads the message counts of one inbox page of cases (``_mention_counts``)."""
    page = (
        select(Mention.case_id, func.count())
        .where(Mention.brand_id == brand.id, Mention.case_id.in_(cases[:50]))
        .group_by(Mention.case_id)
    )
    with engine.connect() as connection:
        statement = str(page.compile(connection, compile_kwargs={"literal_binds": True}))
        return " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}"))


def test_with_statistics_a_page_reads_its_cases_messages_through_the_case_index(
    engine: Engine, session: Session, brand: Brand
) -> None:
    if engine.dialect.name != "sqlite":
        assert not refresh_statistics(engine), "PostgreSQL's autovacuum keeps its own"
        return
    cases = add_messages(session, brand, SMALL + 100)
    assert "ix_mention_brand_created" in plan_of_a_page(engine, brand, cases), (
        "guessing, it reads the brand's"
    )

    assert refresh_statistics(engine)

    assert "ix_mention_case_id" in plan_of_a_page(engine, brand, cases)
    assert not refresh_statistics(engine), "nothing new since: not again"
    add_messages(session, brand, int((SMALL + 100) * (GROWTH - 1)) + 300, first=SMALL + 100)
    assert refresh_statistics(engine), "grown by half: again"


def test_a_small_database_is_left_to_the_planners_guesses(
    engine: Engine, session: Session, brand: Brand
) -> None:
    add_messages(session, brand, 300)
    assert not refresh_statistics(engine)


def test_the_runner_looks_once_an_hour(
    engine: Engine, session: Session, brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner_statistics, "_next_check", {})  # a database URL may come back
    add_messages(session, brand, SMALL + 100)
    now = [1_000.0]
    expected = engine.dialect.name == "sqlite"
    assert keep_statistics(engine, clock=lambda: now[0]) is expected
    add_messages(session, brand, SMALL * 2, first=SMALL + 100)
    now[0] += 60
    assert not keep_statistics(engine, clock=lambda: now[0]), "within the hour: not looked at"
    now[0] += 3600
    assert keep_statistics(engine, clock=lambda: now[0]) is expected
