"""The dashboard's figures added up by the database (metrics/outcome_reads.py) are the figures the
definitions work out case by case (metrics/definitions.py), on a desk of random outcome rows:
every count, percentile, breakdown row and debt point, for the whole brand and for one team.

The rows are written straight into the tables here (as no code of the desk does) because what is
checked is the reads: every combination of facts, ties among durations, cases never resolved,
spans still open, a span that began before its case opened, and groups with no team or category.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.metrics import daily_reads, outcome_reads, queries, rollup
from ombuds.metrics import definitions as d
from ombuds.metrics.outcome_models import STILL_OPEN, CaseOpenSpan, CaseOutcome, CaseOutcomeDay

START = datetime(2026, 11, 2, tzinfo=UTC)
END = START + timedelta(days=14)
CASES = 160


def _random_desk(session: Session, brand: Brand, rng: random.Random) -> None:
    session.execute(
        insert(Customer),
        [{"brand_id": brand.id, "display_name": f"C{n}", "created_at": START} for n in range(CASES)],
    )
    customers = list(session.scalars(select(Customer.id).where(Customer.brand_id == brand.id)))
    session.execute(
        insert(Case),
        [
            {
                "brand_id": brand.id,
                "customer_id": customer,
                "subject": "A bag",
                "channel": "x",
                "status": CaseStatus.OPEN,
                "priority": 3,
                "opened_at": START,
                "last_activity_at": START,
            }
            for customer in customers
        ],
    )
    rollup.rebuild(session, brand_id=brand.id)  # a row a case; its facts are made up below
    moment = lambda days: START + timedelta(days=days, minutes=rng.randrange(0, 24 * 60))  # noqa: E731
    for case_id in session.scalars(select(Case.id).where(Case.brand_id == brand.id)):
        opened = moment(rng.randint(-6, 13))
        resolved = moment(rng.randint(-3, 16)) if rng.random() < 0.8 else None
        experience = rng.choice([None, *d.Experience])
        followers = rng.choice((0, 10, 5000))
        held_by = {
            "team_id": rng.choice((None, 7, 8)),
            "assignee_id": rng.choice((None, 21, 22, 23)),
            "channel": rng.choice(("x", "email")),
            "category": rng.choice((None, "refund", "delay")),
        }
        session.execute(
            update(CaseOutcome)
            .where(CaseOutcome.case_id == case_id)
            .values(
                **held_by,
                opened_at=opened,
                is_junk=rng.random() < 0.05,
                resolved_at=resolved,
                resolution_is_problem=resolved is not None and rng.random() < 0.95,
                reopened_within_window=rng.random() < 0.2,
                first_contact_resolution=rng.choice((None, True, False)),
                handoffs=rng.choice((0, 0, 1, 2)),
                # few distinct values: ties among the durations
                first_response_seconds=rng.choice((None, 60, 300, 300, 900, rng.randrange(60, 90_000))),
                resolution_seconds=rng.choice((None, 3600, rng.randrange(600, 900_000))),
                met_sla=rng.choice((None, True, False)),
                survey_sent=rng.random() < 0.6,
                survey_score=rng.choice((None, 1, 3, 5)),
                experience=None if experience is None else experience.value,
                sentiment_before=rng.choice((None, -1, 0, 1)),
                sentiment_after=rng.choice((None, -1, 0, 1)),
                public_complaint=rng.random() < 0.5,
                closed_in_public=rng.random() < 0.5,
                followers=followers,
            )
        )
        if rng.random() < 0.6:
            reach = d.reach(followers)  # as the writer keeps it
            begins = opened - timedelta(hours=3) if rng.random() < 0.1 else opened  # moves before the opening
            spans = [(begins, resolved or STILL_OPEN)]
            if resolved is not None and rng.random() < 0.3:  # reopened a day later
                spans.append(
                    (resolved + timedelta(days=1), rng.choice((STILL_OPEN, resolved + timedelta(days=3))))
                )
            rows = [
                {
                    "case_id": case_id,
                    "brand_id": brand.id,
                    "opened_at": opened,
                    "starts_at": starts,
                    "ends_at": ends,
                    "reach": reach,
                    "reach_opened": reach * opened.timestamp(),
                    **held_by,  # as the writer copies them from the case's row
                }
                for starts, ends in spans
                if ends > starts
            ]
            if rows:
                session.execute(insert(CaseOpenSpan), rows)
    rollup.rebuild_days(session, brand_id=brand.id)  # the day rows of the rows made up above
    session.commit()


@pytest.mark.parametrize("team_id", [None, 7])
def test_the_figures_the_database_adds_up_are_the_definitions_case_by_case(
    session: Session, brand: Brand, team_id: int | None
) -> None:
    _random_desk(session, brand, random.Random(15))
    scope = queries.Scope(brand_id=brand.id, start=START, end=END, team_id=team_id)
    cuts = d.buckets(START, END)
    resolved = queries.resolved_cases(session, scope)
    assert len(resolved) > 20

    # the period's tally and each day's, durations' percentiles among them
    whole, per_cut = daily_reads.tallies(session, scope, cuts)
    assert whole == d.tally(resolved)
    for (start, end), tally in zip(cuts, per_cut, strict=True):
        assert tally == d.tally([case for case in resolved if start <= case.resolved_at < end])

    # summed from the day rows (not falling back to the outcome rows): the same tallies, also for
    # periods and cuts that begin and end inside a day, and grouped by each breakdown's column
    ragged = replace(scope, start=START - timedelta(days=4, hours=5), end=END + timedelta(days=2, hours=3))
    for asked, asked_cuts in (
        (scope, cuts),
        (ragged, d.buckets(ragged.start, ragged.end)),
        (ragged, [(ragged.start, ragged.end)]),
        (replace(scope, end=START + timedelta(hours=20)), [(START, START + timedelta(hours=20))]),
        # cases resolved in it and opened after it (their rows say so): taken from the day rows' count
        (replace(scope, end=START + timedelta(days=5)), d.buckets(START, START + timedelta(days=5))),
    ):
        for by in ("team", "agent", "channel", "category", None):
            column = None if by is None else queries.group_column(by)
            if daily_reads.dimension(asked, column) is None:
                continue
            from_days = daily_reads.from_days(session, asked, asked_cuts, column)
            assert from_days is not None
            assert from_days == outcome_reads.grouped_tallies_of_rows(session, asked, asked_cuts, column), by
            assert from_days[0] == d.tally(queries.resolved_cases(session, asked)), by
            # the cases opened in each cut, per group, as the outcome rows list them
            keys = (
                dict(session.execute(select(CaseOutcome.case_id, column)).all()) if column is not None else {}
            )
            expected_opened = [
                Counter(
                    keys.get(case_id)
                    for case_id in queries.opened_case_ids(session, replace(asked, start=a, end=b))
                )
                for a, b in asked_cuts
            ]
            assert daily_reads.opened_counts(session, asked, asked_cuts, column) == expected_opened, by
    assert daily_reads.dimension(replace(scope, team_id=7, channel="x"), None) is None
    # day rows that a write around their writer left wrong: the figures come from the outcome rows
    session.execute(
        update(CaseOutcomeDay)
        .where(CaseOutcomeDay.brand_id == brand.id, CaseOutcomeDay.day == START)
        .values(first_response_bins="0:1000")
    )
    assert daily_reads.tallies(session, scope, cuts) == (whole, per_cut)
    session.rollback()

    # the debt at each day's end: the same as each case's weight added up
    moments = [end for _, end in cuts]
    totals = daily_reads.debt_totals(session, scope, moments)
    assert daily_reads.debt_from_days(session, scope, moments) == totals  # the day rows' sums
    # the open spans' one pass says the same; so do both at midnights before and long after any span
    assert totals == pytest.approx(outcome_reads.debt_totals(session, scope, moments), abs=1e-6)
    far = [START - timedelta(days=30), END + timedelta(days=400)]
    assert daily_reads.debt_from_days(session, scope, far) == pytest.approx(
        outcome_reads.debt_totals(session, scope, far), abs=1e-6
    )
    by_case = queries.debt_at(session, scope, moments)
    assert any(by_case[moment] for moment in moments)
    for moment in moments:
        assert totals[moment] == pytest.approx(sum(item.weight for item in by_case[moment]), abs=1e-6)

    # each breakdown: every group's figures as the definitions work them out from the cases
    rows = session.execute(
        select(
            CaseOutcome.case_id,
            CaseOutcome.team_id,
            CaseOutcome.assignee_id,
            CaseOutcome.channel,
            CaseOutcome.category,
        )
    ).all()
    opened = queries.opened_case_ids(session, scope)
    debt = queries.experience_debt(session, scope)
    for by, column in (("team", 1), ("agent", 2), ("channel", 3), ("category", 4)):
        keys = {row[0]: row[column] for row in rows}
        expected = d.breakdown(keys, opened=opened, resolved=resolved, debt=debt)
        found = {row.key: row.outcomes for row in queries.breakdown(session, scope, by)}
        assert found.keys() == expected.keys(), by
        for group, outcomes in expected.items():
            assert found[group] == replace(outcomes, resolved_case_ids=()), (by, group)
        # the dashboard's way: the trend's reads of each day tally the groups too, and change nothing
        same_whole, same_per_cut, groups = daily_reads.grouped_tallies(
            session, scope, cuts, queries.group_column(by)
        )
        assert (same_whole, same_per_cut) == (whole, per_cut), by
        shared = queries.breakdown(session, scope, by, resolved=groups)
        assert {row.key: row.outcomes for row in shared} == found, by
