"""A case's history reads every event ever written: old kinds still render, a damaged one says so.

The timeline and the API read each event through its typed payload; a stored payload that does
not have its kind's shape shows as one line that says which event and what is wrong, while the
rest of the case stays readable.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Team, User
from ombuds.cases.models import Case
from ombuds.events import Event, record_event
from tests.integration.test_web_cases import NOW, add_case, add_mention, sign_in


def _record(session: Session, case: Case, kind: str, data: dict[str, object], *, minutes: int) -> Event:
    event = record_event(
        session,
        brand_id=case.brand_id,
        kind=kind,
        subject_type="case",
        subject_id=case.id,
        data=data,
        occurred_at=NOW - timedelta(hours=2) + timedelta(minutes=minutes),
    )
    session.flush()
    return event


@pytest.fixture
def old_case(session: Session, brand: Brand, team: Team, agent: User) -> tuple[Case, Event]:
    """A case whose history was written by earlier versions, with one damaged event among them."""
    case = add_case(
        session, brand=brand, subject="Refund for SK204", handle="maya", opened_hours_ago=3, team=team
    )
    first = add_mention(session, case=case, text="Still no refund for SK204.", at=NOW - timedelta(hours=3))
    _record(session, case, "case.opened", {"mention_id": first.id}, minutes=0)
    # Routing before reruns were guarded stored no mention id.
    _record(
        session,
        case,
        "case.routed",
        {"priority": 2, "team_id": team.id, "reasons": ["rule: refunds"]},
        minutes=1,
    )
    damaged = _record(session, case, "case.assigned", {"from": None, "to": "ada"}, minutes=2)
    # The demo's resolve logged its own kind before every status change logged case.status_changed.
    _record(session, case, "case.resolved", {"note": "Refund sent by bank transfer"}, minutes=3)
    session.commit()
    return case, damaged


def test_old_events_render_and_a_damaged_one_says_what_is_wrong(
    client: TestClient,
    old_case: tuple[Case, Event],
    agent: User,
    team: Team,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case, damaged = old_case
    sign_in(client, agent.email)
    with caplog.at_level(logging.WARNING, logger="ombuds.cases.timeline"):
        page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert f"Routed to {team.name} · High priority" in page.text
    assert "Why: rule: refunds" in page.text
    assert "Resolved" in page.text
    assert "Refund sent by bank transfer" in page.text
    assert "Assigned (its details could not be read)" in page.text
    problem = (
        f"event {damaged.id} (case.assigned) has a malformed payload: to: Input should be a valid integer"
    )
    assert problem in page.text
    assert problem in caplog.text

    events = client.get(f"/api/v1/cases/{case.id}/events").json()
    by_kind = {event["kind"]: event for event in events}
    assert by_kind["case.resolved"]["detail"] == "Refund sent by bank transfer"
    assert by_kind["case.assigned"]["summary"] == "Assigned (its details could not be read)"
    assert by_kind["case.assigned"]["detail"].startswith(problem)
    assert by_kind["case.assigned"]["data"] == {"from": None, "to": "ada"}
