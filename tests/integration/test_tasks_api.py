"""Cross-team tasks over the API: an open task keeps the case from being resolved until it is done or waived."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.cases.tasks import Task
from ombuds.clock import utcnow
from ombuds.errors import Conflict
from ombuds.events import Event
from ombuds.responses.sending import deliver_due_replies
from ombuds.tasks.actions import complete_task
from tests.integration.test_resolutions_api import token_for
from tests.integration.test_web_cases import add_case
from tests.support.moments import UNKEEPABLE_MOMENTS

Headers = dict[str, str]


@pytest.fixture
def people(session: Session, brand: Brand) -> dict[str, Headers]:
    found = {
        role.value: token_for(session, brand, f"{role.value}@skyways.test", role)
        for role in (Role.AGENT, Role.MANAGER, Role.ADMIN, Role.VIEWER)
    }
    found["billing agent"] = token_for(session, brand, "bill@skyways.test", Role.AGENT)
    return found


@pytest.fixture
def case(session: Session, brand: Brand) -> Case:
    found = add_case(
        session, brand=brand, subject="Charged twice for my seat", handle="ann", opened_hours_ago=3
    )
    session.commit()
    return found


@pytest.fixture
def billing(client: TestClient, people: dict[str, Headers]) -> int:
    made = client.post("/api/v1/teams", json={"name": "Billing"}, headers=people["manager"])
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Billing"
    return int(made.json()["id"])


def ask(client: TestClient, case: Case, headers: Headers, **body: object) -> dict[str, object]:
    answer = client.post(f"/api/v1/cases/{case.id}/tasks", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def set_status(client: TestClient, case: Case, headers: Headers, status: str) -> tuple[int, str]:
    answer = client.post(f"/api/v1/cases/{case.id}/status", json={"status": status}, headers=headers)
    return answer.status_code, str(answer.json().get("detail", answer.json().get("status")))


def task_summaries(client: TestClient, case: Case, headers: Headers) -> list[str]:
    events = client.get(f"/api/v1/cases/{case.id}/events", headers=headers).json()
    return [f"{e['summary']} | {e.get('detail')}" for e in events if str(e["kind"]).startswith("task.")]


def test_teams_are_listed_for_the_tokens_brand_and_added_by_managers_only(
    client: TestClient, people: dict[str, Headers], billing: int, team: Team
) -> None:
    listed = client.get("/api/v1/teams", headers=people["agent"])
    assert listed.status_code == 200
    assert {"id": billing, "name": "Billing"} in listed.json()
    assert {"id": team.id, "name": team.name} in listed.json()
    assert client.post("/api/v1/teams", json={"name": "Legal"}, headers=people["agent"]).status_code == 403
    again = client.post("/api/v1/teams", json={"name": "billing"}, headers=people["admin"])
    assert again.status_code == 409
    assert "Billing" in again.json()["detail"]


def test_a_case_with_an_open_billing_task_cannot_be_resolved_until_billing_has_done_it(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, Headers],
    case: Case,
    billing: int,
) -> None:
    task = ask(
        client,
        case,
        people["agent"],
        team_id=billing,
        title="Refund the second seat charge",
        description="Charged 2 × 40 EUR on 28 Nov",
        due_at="2026-12-03T12:00:00+00:00",
    )
    assert task["status"] == "open"
    assert task["case_id"] == case.id
    assert task["team_id"] == billing

    code, detail = set_status(client, case, people["agent"], "resolved")
    assert code == 409
    assert "Refund the second seat charge" in detail
    assert "Billing" in detail
    assert set_status(client, case, people["agent"], "closed")[0] == 409

    done = client.post(
        f"/api/v1/tasks/{task['id']}/status",
        json={"status": "done", "note": "Refunded 40 EUR"},
        headers=people["billing agent"],
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    assert done.json()["note"] == "Refunded 40 EUR"
    again = client.post(
        f"/api/v1/tasks/{task['id']}/status", json={"status": "done"}, headers=people["agent"]
    )
    assert again.status_code == 409

    assert task_summaries(client, case, people["agent"]) == [
        "Task for Billing: Refund the second seat charge | None",
        "Task done by Billing: Refund the second seat charge · tell the customer what was done | Refunded 40 EUR",
    ]
    # the customer is told, then the case is resolved
    reply = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "We refunded the second charge of 40 EUR.", "visibility": "private"},
        headers=people["agent"],
    )
    assert reply.status_code == 201, reply.text
    deliver_due_replies(session_factory)  # no connector here: the agent posts it by hand
    posted = client.post(f"/api/v1/replies/{reply.json()['id']}/posted", headers=people["agent"])
    assert posted.status_code == 200, posted.text
    assert set_status(client, case, people["agent"], "resolved") == (200, "resolved")


def test_a_manager_waives_a_task_with_a_reason_an_agent_may_not(
    client: TestClient, people: dict[str, Headers], case: Case, billing: int
) -> None:
    task = ask(client, case, people["agent"], team_id=billing, title="Check the card provider's log")
    url = f"/api/v1/tasks/{task['id']}/status"

    refused = client.post(url, json={"status": "waived", "note": "not needed"}, headers=people["agent"])
    assert refused.status_code == 403
    assert "manager" in refused.json()["detail"]
    no_reason = client.post(url, json={"status": "waived", "note": " "}, headers=people["manager"])
    assert no_reason.status_code == 422
    assert set_status(client, case, people["agent"], "resolved")[0] == 409

    waived = client.post(
        url,
        json={"status": "waived", "note": "The bank reversed the charge itself"},
        headers=people["manager"],
    )
    assert waived.status_code == 200, waived.text
    assert waived.json()["status"] == "waived"
    assert task_summaries(client, case, people["agent"])[-1] == (
        "Task for Billing waived: Check the card provider's log | Reason: The bank reversed the charge itself"
    )
    assert set_status(client, case, people["agent"], "resolved") == (200, "resolved")


def test_a_task_for_another_brands_team_or_case_is_not_found_and_viewers_cannot_ask(
    client: TestClient, session: Session, people: dict[str, Headers], case: Case
) -> None:
    other = accounts.create_brand(session, slug="rival", name="Rival Air")
    theirs = accounts.create_team(session, brand=other, slug="billing", name="Billing")
    other_case = add_case(session, brand=other, subject="Their case", handle="zed", opened_hours_ago=1)
    session.commit()

    answer = client.post(
        f"/api/v1/cases/{case.id}/tasks",
        json={"team_id": theirs.id, "title": "Refund"},
        headers=people["agent"],
    )
    assert answer.status_code == 404
    assert "team" in answer.json()["detail"]
    answer = client.post(
        f"/api/v1/cases/{other_case.id}/tasks",
        json={"team_id": theirs.id, "title": "x"},
        headers=people["agent"],
    )
    assert answer.status_code == 404
    own = client.get("/api/v1/teams", headers=people["agent"]).json()[0]["id"]
    viewer = client.post(
        f"/api/v1/cases/{case.id}/tasks", json={"team_id": own, "title": "Refund"}, headers=people["viewer"]
    )
    assert viewer.status_code == 403
    assert (
        client.post(
            "/api/v1/tasks/999999/status", json={"status": "done"}, headers=people["agent"]
        ).status_code
        == 404
    )


def test_a_due_date_with_no_utc_equivalent_no_time_zone_or_in_year_1_is_refused_naming_due_at(
    client: TestClient, session: Session, people: dict[str, Headers], case: Case, billing: int
) -> None:
    values = {**UNKEEPABLE_MOMENTS, "0001-01-01T00:00:00Z": "must be in the years 1970 to 2100"}
    for value, says in values.items():
        refused = client.post(
            f"/api/v1/cases/{case.id}/tasks",
            json={"team_id": billing, "title": "Refund the seat", "due_at": value},
            headers=people["agent"],
        )

        assert refused.status_code == 422, (value, refused.text)
        assert [problem["loc"] for problem in refused.json()["detail"]] == [["body", "due_at"]]
        assert refused.json()["message"].startswith(f"“due_at” {says}")
    assert session.scalars(select(Task)).all() == []


def test_no_task_is_asked_on_a_resolved_case_and_one_done_twice_at_once_is_done_once(
    client: TestClient,
    session_factory: sessionmaker[Session],
    people: dict[str, Headers],
    case: Case,
    billing: int,
) -> None:
    task = ask(client, case, people["agent"], team_id=billing, title="Refund the seat")
    # two people mark it done at once: both found it open before either wrote
    with session_factory() as first, session_factory() as second:
        mine, theirs = first.get_one(Task, task["id"]), second.get_one(Task, task["id"])
        on_case = first.get_one(Case, case.id)
        ann = first.scalars(select(User).where(User.email == "agent@skyways.test")).one()
        complete_task(first, task=mine, case=on_case, note="", actor=Actor(ann), now=utcnow())
        first.commit()
        with pytest.raises(Conflict, match="already done"):
            complete_task(
                second,
                task=theirs,
                case=second.get_one(Case, case.id),
                note="",
                actor=Actor(ann),
                now=utcnow(),
            )
        second.rollback()
    with session_factory() as reading:
        done = reading.scalars(select(Event).where(Event.kind == "task.done")).all()
    assert len(done) == 1, "one event for one piece of work done"

    assert set_status(client, case, people["agent"], "resolved") == (200, "resolved")
    refused = client.post(
        f"/api/v1/cases/{case.id}/tasks",
        json={"team_id": billing, "title": "One more thing"},
        headers=people["agent"],
    )
    assert refused.status_code == 409
    assert "reopen it before asking a team for work" in refused.text


def test_resolving_while_a_team_is_asked_at_the_same_moment_leaves_no_open_task_on_a_resolved_case(
    session_factory: sessionmaker[Session], session: Session, case: Case, billing: int
) -> None:
    """Either the task is made and the resolve refused, or the case resolves and the task is
    refused: never a resolved case holding work nobody would see to (both used to succeed)."""
    import threading

    from ombuds.cases.lifecycle import change_status
    from ombuds.cases.models import CaseStatus
    from ombuds.tasks.actions import create_task

    agent = session.scalars(select(User).where(User.email == "agent@skyways.test")).one()
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str) -> None:
        with session_factory() as own:
            mine, actor = own.get_one(Case, case.id), Actor(user=own.get_one(User, agent.id))
            team = own.get_one(Team, billing)
            start.wait()
            try:
                if name == "resolve":
                    change_status(own, case=mine, status=CaseStatus.RESOLVED, actor=actor)
                else:
                    create_task(own, case=mine, team=team, title="Refund", actor=actor, now=utcnow())
                own.commit()
                outcomes[name] = "done"
            except Conflict as refused:
                own.rollback()
                outcomes[name] = str(refused)

    threads = [threading.Thread(target=act, args=(name,)) for name in ("resolve", "ask")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcome == "done" for outcome in outcomes.values()) == [False, True], outcomes
    session.expire_all()
    resolved = session.get_one(Case, case.id).status is CaseStatus.RESOLVED
    open_tasks = session.scalars(select(Task).where(Task.case_id == case.id)).all()
    assert resolved != bool(open_tasks)
