"""The inbox's first page reads its order from an index instead of fetching every open case.

At a million messages a brand has a few hundred thousand open cases; a first page that fetches
them all to sort them and keep 50 takes half a second, one that reads the order's columns from an
index a tenth of that (docs/performance.md). These tests read SQLite's plan of the query the page
runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Team
from ombuds.cases.queries import list_open_cases
from ombuds.cases.values import InboxSort


def _sent(engine: Engine, session: Session, brand: Brand, **options: Any) -> list[tuple[str, Any]]:
    """The statements and parameters of the inbox's read of one page."""
    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        list_open_cases(session, brand_id=brand.id, brand_slug=brand.slug, **options)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return sent


def _plan(engine: Engine, statement: str, parameters: Any) -> list[tuple[int, int, str]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return [(int(row[0]), int(row[1]), str(row[3])) for row in rows]


def _page_plan(engine: Engine, session: Session, brand: Brand, sort: InboxSort) -> list[tuple[int, int, str]]:
    """The plan of the read that picks the page's 50 cases (the one that orders open cases)."""
    sent = _sent(engine, session, brand, sort=sort)
    ordering = [(statement, parameters) for statement, parameters in sent if "LIMIT" in statement]
    assert len(ordering) == 1, [statement for statement, _ in sent]
    return _plan(engine, *ordering[0])


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        (InboxSort.PRIORITY, "ix_case_inbox_order"),
        (InboxSort.SLA, "ix_case_deadline_order"),
    ],
)
def test_the_first_page_picks_its_cases_from_an_index_in_its_own_order(
    engine: Engine, session: Session, brand: Brand, sort: InboxSort, index: str
) -> None:
    """The open cases of each status are read in the page's order from the index (the 50 first of
    three runs are then merged), not fetched row by row to be sorted."""
    plan = _page_plan(engine, session, brand, sort)
    picking = {node for node, _parent, detail in plan if detail.startswith("LIST SUBQUERY")}
    assert picking, plan
    steps = [detail for _node, parent, detail in plan if parent in picking]
    assert any(f"INDEX {index} (brand_id=? AND status=?)" in step for step in steps), f"{sort.value}: {steps}"


def test_the_widest_reach_first_walks_the_brand_s_cases_in_that_order_without_sorting(
    engine: Engine, session: Session, brand: Brand
) -> None:
    """Reach is stored on the case, so an index holds the order and the page stops after 50 open
    cases; before, every open case's identities were read to sort them (0.9 s at a million)."""
    plan = _page_plan(engine, session, brand, InboxSort.REACH)
    picking = {node for node, _parent, detail in plan if detail.startswith("LIST SUBQUERY")}
    steps = [detail for _node, parent, detail in plan if parent in picking]
    assert any("INDEX ix_case_reach_order (brand_id=?)" in step for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps


def test_a_team_s_page_counts_its_open_cases_from_an_index_alone(
    engine: Engine, session: Session, brand: Brand, team: Team
) -> None:
    """A team's inbox says how many open cases it has, by status; reading each of the brand's open
    cases to count one team's took 278 ms at a million messages, the index alone 16 ms."""
    sent = _sent(engine, session, brand, team_id=team.id)
    counts = [(statement, parameters) for statement, parameters in sent if "count(" in statement]
    assert counts, [statement for statement, _ in sent]
    for statement, parameters in counts:
        plan = [detail for _node, _parent, detail in _plan(engine, statement, parameters)]
        assert any("COVERING INDEX ix_case_team_status" in step for step in plan), plan
