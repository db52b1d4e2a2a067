"""Follow-ups: a case parked until a date comes back to the top of its owner's inbox on that date,
and a resolved case with a check-in reopens as a reminder. The runner's clock is injected."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.clock import utcnow
from ombuds.followups.actions import return_due_follow_ups
from ombuds.followups.models import FollowUp
from ombuds.responses.sending import deliver_due_replies
from ombuds.serve import background_work
from ombuds.settings import Settings
from tests.integration.test_resolutions_api import token_for
from tests.integration.test_web_cases import add_case, rival, sign_in

__all__ = ["rival"]  # a fixture, used by name


@pytest.fixture
def people(session: Session, brand: Brand) -> dict[str, dict[str, str]]:
    return {
        role.value: token_for(session, brand, f"{role.value}@skyways.test", role)
        for role in (Role.AGENT, Role.VIEWER)
    }


@pytest.fixture
def refund_case(session: Session, brand: Brand) -> Case:
    """A low-priority case, so only the follow-up can put it on top of the inbox."""
    case = add_case(
        session,
        brand=brand,
        subject="Refund for my cancelled flight",
        handle="ann",
        opened_hours_ago=3,
        priority=Priority.LOW,
        status=CaseStatus.OPEN,
    )
    add_case(
        session, brand=brand, subject="Lost bag", handle="bob", opened_hours_ago=30, priority=Priority.URGENT
    )
    session.commit()
    return case


def inbox_ids(client: TestClient, headers: dict[str, str]) -> list[int]:
    answer = client.get("/api/v1/cases", headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def case_json(client: TestClient, case: Case, headers: dict[str, str]) -> dict[str, object]:
    answer = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def event_summaries(client: TestClient, case: Case, headers: dict[str, str]) -> list[str]:
    answer = client.get(f"/api/v1/cases/{case.id}/events", headers=headers)
    assert answer.status_code == 200, answer.text
    return [str(event["summary"]) for event in answer.json()]


def in_days(days: float) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def test_a_case_pending_on_a_refund_comes_back_to_the_top_of_the_inbox_on_its_date(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, dict[str, str]],
    refund_case: Case,
) -> None:
    agent = people["agent"]
    assert inbox_ids(client, agent)[0] != refund_case.id  # the urgent lost bag leads

    answer = client.post(
        f"/api/v1/cases/{refund_case.id}/pending",
        json={"until": in_days(3), "reason": "refund", "note": "the bank confirms the transfer"},
        headers=agent,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["reason"] == "refund"
    assert answer.json()["done_at"] is None
    assert case_json(client, refund_case, agent)["status"] == "pending"

    # the day before, nothing comes back
    assert return_due_follow_ups(session_factory, now=utcnow() + timedelta(days=2)) == []
    assert case_json(client, refund_case, agent)["status"] == "pending"

    on_the_day = utcnow() + timedelta(days=3, minutes=1)
    assert return_due_follow_ups(session_factory, now=on_the_day) == [answer.json()["id"]]
    back = case_json(client, refund_case, agent)
    assert back["status"] == "open"
    assert back["returned_at"] is not None
    assert inbox_ids(client, agent)[0] == refund_case.id  # above the urgent case: its date came
    summaries = event_summaries(client, refund_case, agent)
    assert any(s.startswith("Pending until") and s.endswith("waiting on a refund") for s in summaries)
    assert "Pending date came: case back" in summaries

    # the runner runs after every round: the same date brings nothing back twice
    assert return_due_follow_ups(session_factory, now=on_the_day + timedelta(hours=1)) == []
    assert event_summaries(client, refund_case, agent).count("Pending date came: case back") == 1

    # once the customer has the agent's answer it no longer tops the inbox, and not before
    reply = client.post(
        f"/api/v1/cases/{refund_case.id}/replies",
        json={
            "text": "Thanks for waiting, and sorry: the bank confirmed your refund today.",
            "visibility": "public",
        },
        headers=agent,
    )
    assert reply.status_code == 201, reply.text
    deliver_due_replies(session_factory)  # no connector here: it waits to be posted by hand
    assert case_json(client, refund_case, agent)["returned_at"] is not None
    posted = client.post(f"/api/v1/replies/{reply.json()['id']}/posted", headers=agent)
    assert posted.status_code == 200, posted.text
    assert case_json(client, refund_case, agent)["returned_at"] is None
    assert inbox_ids(client, agent)[0] != refund_case.id


def park(client: TestClient, case: Case, headers: dict[str, str], *, days: int) -> int:
    """Park the case until ``days`` from now, waiting on a refund; the follow-up's id."""
    parked = client.post(
        f"/api/v1/cases/{case.id}/pending", json={"until": in_days(days), "reason": "refund"}, headers=headers
    )
    assert parked.status_code == 201, parked.text
    follow_up: int = parked.json()["id"]
    return follow_up


def test_a_case_brought_back_and_parked_again_no_longer_tops_the_inbox(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, dict[str, str]],
    refund_case: Case,
) -> None:
    agent = people["agent"]
    parked = park(client, refund_case, agent, days=1)
    assert return_due_follow_ups(session_factory, now=utcnow() + timedelta(days=1, minutes=1)) == [parked]
    assert inbox_ids(client, agent)[0] == refund_case.id

    park(client, refund_case, agent, days=5)
    assert case_json(client, refund_case, agent)["returned_at"] is None
    assert inbox_ids(client, agent)[0] != refund_case.id


def test_a_case_taken_up_before_its_date_stays_where_it_is(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, dict[str, str]],
    refund_case: Case,
) -> None:
    agent = people["agent"]
    answer = client.post(
        f"/api/v1/cases/{refund_case.id}/pending",
        json={"until": in_days(1), "reason": "customer"},
        headers=agent,
    )
    assert answer.status_code == 201, answer.text
    # the customer wrote back early and the agent resolved it
    client.post(f"/api/v1/cases/{refund_case.id}/status", json={"status": "resolved"}, headers=agent)

    assert return_due_follow_ups(session_factory, now=utcnow() + timedelta(days=2)) == []
    assert case_json(client, refund_case, agent)["status"] == "resolved"
    follow_ups = client.get(f"/api/v1/cases/{refund_case.id}/follow-ups", headers=agent).json()
    assert [(f["kind"], f["outcome"]) for f in follow_ups] == [("pending", "skipped")]


def test_the_case_page_says_a_parked_case_taken_up_early_no_longer_waits(
    client: TestClient, session: Session, brand: Brand, agent: User, refund_case: Case
) -> None:
    headers = token_for(session, brand, "desk@skyways.test", Role.AGENT)
    client.post(
        f"/api/v1/cases/{refund_case.id}/pending",
        json={"until": in_days(1), "reason": "customer"},
        headers=headers,
    )
    sign_in(client, agent.email)
    assert "no longer waiting" not in client.get(f"/cases/{refund_case.id}").text
    client.post(f"/api/v1/cases/{refund_case.id}/status", json={"status": "resolved"}, headers=headers)
    page = client.get(f"/cases/{refund_case.id}").text
    assert "no longer waiting: the case is resolved" in page


def test_a_new_date_replaces_the_old_so_the_case_comes_back_once(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, dict[str, str]],
    refund_case: Case,
) -> None:
    agent = people["agent"]
    for days in (1, 4):
        answer = client.post(
            f"/api/v1/cases/{refund_case.id}/pending",
            json={"until": in_days(days), "reason": "team"},
            headers=agent,
        )
        assert answer.status_code == 201, answer.text
    assert return_due_follow_ups(session_factory, now=utcnow() + timedelta(days=2)) == []
    assert case_json(client, refund_case, agent)["status"] == "pending"
    follow_ups = client.get(f"/api/v1/cases/{refund_case.id}/follow-ups", headers=agent).json()
    assert [f["outcome"] for f in follow_ups] == [None, "replaced"]


def test_a_resolved_case_reopens_on_its_check_in_with_the_question(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, dict[str, str]],
    refund_case: Case,
) -> None:
    agent = people["agent"]
    answer = client.post(f"/api/v1/cases/{refund_case.id}/status", json={"status": "resolved"}, headers=agent)
    assert answer.status_code == 200, answer.text
    answer = client.post(
        f"/api/v1/cases/{refund_case.id}/check-ins",
        json={"at": in_days(7), "note": "Is the new card working?"},
        headers=agent,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["kind"] == "check_in"

    assert return_due_follow_ups(session_factory, now=utcnow() + timedelta(days=7, minutes=1)) == [
        answer.json()["id"]
    ]
    reopened = case_json(client, refund_case, agent)
    assert reopened["status"] == "open"
    assert reopened["resolved_at"] is None
    assert reopened["reopened"] == 0, "the desk's own reminder is not the customer coming back"
    assert inbox_ids(client, agent)[0] == refund_case.id
    events = client.get(f"/api/v1/cases/{refund_case.id}/events", headers=agent).json()
    assert any(e["summary"] == "Check-in due: case reopened" for e in events)
    assert any(e.get("detail") == "Check-in: Is the new card working?" for e in events)


def test_the_runners_after_round_hook_brings_due_cases_back(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User, tmp_path: Path
) -> None:
    from ombuds.cases.lifecycle import Actor
    from ombuds.followups.actions import set_pending_until
    from ombuds.followups.values import WaitingOn

    case = add_case(session, brand=brand, subject="Card not working", handle="cy", opened_hours_ago=5)
    long_ago = utcnow() - timedelta(days=2)
    set_pending_until(
        session,
        case=case,
        until=long_ago + timedelta(days=1),
        waiting_on=WaitingOn.CUSTOMER,
        actor=Actor(agent),
        now=long_ago,
    )
    session.commit()

    background_work(session_factory, Settings(data_dir=tmp_path))

    session.expire_all()
    assert session.get(Case, case.id).status is CaseStatus.OPEN  # type: ignore[union-attr]
    assert session.scalar(select(FollowUp.outcome).where(FollowUp.case_id == case.id)) == "returned"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"until": "2020-01-01T09:00:00+00:00", "reason": "customer"}, "Wed 01 Jan 2020 09:00 UTC is not in"),
        (
            {"until": "2020-01-01T09:00:00-05:00", "reason": "customer"},
            "Wed 01 Jan 2020 09:00 -05:00 is not in",
        ),
        ({"until": "2030-01-01T09:00:00", "reason": "customer"}, "give a time zone"),
        ({"until": "2099-01-01T09:00:00+00:00", "reason": "customer"}, "at most 366 days ahead"),
        ({"until": "tomorrow", "reason": "customer"}, "until"),
        ({"until": "2030-01-01T09:00:00+00:00", "reason": "weather"}, "reason"),
    ],
)
def test_a_date_that_cannot_be_a_follow_up_is_refused_and_says_why(
    client: TestClient, people: dict[str, dict[str, str]], refund_case: Case, body: dict[str, str], says: str
) -> None:
    answer = client.post(f"/api/v1/cases/{refund_case.id}/pending", json=body, headers=people["agent"])
    assert answer.status_code == 422, answer.text
    assert says in answer.text
    assert case_json(client, refund_case, people["agent"])["status"] == "open"


def test_who_may_park_what(
    client: TestClient,
    session: Session,
    people: dict[str, dict[str, str]],
    refund_case: Case,
    rival: Brand,
) -> None:
    viewer = client.post(
        f"/api/v1/cases/{refund_case.id}/pending",
        json={"until": in_days(1), "reason": "customer"},
        headers=people["viewer"],
    )
    assert viewer.status_code == 403, viewer.text
    other = add_case(session, brand=rival, subject="Theirs", handle="zed", opened_hours_ago=1)
    session.commit()
    foreign = client.post(
        f"/api/v1/cases/{other.id}/pending",
        json={"until": in_days(1), "reason": "customer"},
        headers=people["agent"],
    )
    assert foreign.status_code == 404, foreign.text
    early = client.post(
        f"/api/v1/cases/{refund_case.id}/check-ins",
        json={"at": in_days(1), "note": "ok?"},
        headers=people["agent"],
    )
    assert early.status_code == 409, early.text
    assert "still open" in early.text
    client.post(
        f"/api/v1/cases/{refund_case.id}/status", json={"status": "resolved"}, headers=people["agent"]
    )
    parked = client.post(
        f"/api/v1/cases/{refund_case.id}/pending",
        json={"until": in_days(1), "reason": "customer"},
        headers=people["agent"],
    )
    assert parked.status_code == 409, parked.text
    assert "check-in" in parked.text


def test_an_agent_parks_a_case_from_its_page_in_their_time_zone(
    client: TestClient, session: Session, agent: User, refund_case: Case
) -> None:
    sign_in(client, agent.email)
    page = client.get(f"/cases/{refund_case.id}")
    assert 'data-testid="pending-form"' in page.text
    # "Set pending" at the top leads to the form that asks until when: parked with no date, nothing
    # would bring the case back
    assert '<a class="btn" href="#follow-ups" data-testid="set-pending">' in page.text
    assert 'name="status" value="pending"' not in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    local = (utcnow() + timedelta(days=2)).astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
    answer = client.post(
        f"/cases/{refund_case.id}/pending",
        data={
            "csrf_token": token.group(1),
            "until": local.strftime("%Y-%m-%dT%H:%M"),
            "zone": "Europe/Berlin",
            "reason": "team",
            "note": "billing checks the double charge",
        },
    )
    assert answer.status_code == 303, answer.text
    page = client.get(f"/cases/{refund_case.id}")
    assert "waiting on another team" in page.text
    assert "billing checks the double charge" in page.text
    session.expire_all()
    follow_up = session.scalars(select(FollowUp).where(FollowUp.case_id == refund_case.id)).one()
    # the typed time is the agent's own (Berlin), stored in UTC
    berlin = local.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert follow_up.due_at == berlin.astimezone(UTC)
    assert 'data-testid="check-in-form"' not in page.text  # parking fits an open case; check-ins come after


def test_the_inbox_says_why_a_case_a_follow_up_brought_back_sits_above_urgent_ones(
    client: TestClient,
    session_factory: sessionmaker[Session],
    agent: User,
    refund_case: Case,
) -> None:
    sign_in(client, agent.email)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/cases/{refund_case.id}").text)
    assert token
    until = (utcnow() + timedelta(days=3)).replace(tzinfo=None, second=0, microsecond=0)
    parked = client.post(
        f"/cases/{refund_case.id}/pending",
        data={
            "csrf_token": token.group(1),
            "until": until.strftime("%Y-%m-%dT%H:%M"),
            "zone": "UTC",
            "reason": "refund",
        },
    )
    assert parked.status_code == 303, parked.text
    return_due_follow_ups(session_factory, now=utcnow() + timedelta(days=3, minutes=1))
    rows = client.get("/inbox").text.split('data-testid="case-row"')[1:]
    assert f"/cases/{refund_case.id}" in rows[0]
    assert 'data-testid="returned-badge">Back on its date<' in rows[0]
    assert not any("returned-badge" in row for row in rows[1:])
