"""Tasks in the browser: asked from the case page, worked from the team's Tasks page, told to the customer."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, TeamMember, User
from ombuds.cases.lifecycle import Actor, change_status
from ombuds.cases.models import Case, CaseStatus
from ombuds.cases.tasks import Task
from ombuds.clock import utcnow
from ombuds.responses.models import ReplySink, SinkKind
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.survey_links import send_survey_links
from ombuds.tasks import actions as tasks
from tests.integration.test_survey_links import Receiver
from tests.integration.test_surveys_and_outcomes import write
from tests.integration.test_web_cases import PASSWORD, add_case, sign_in


@pytest.fixture
def people(session: Session, brand: Brand) -> dict[str, User]:
    found = {}
    for name, role in (("carla", Role.AGENT), ("bill", Role.AGENT), ("mona", Role.MANAGER)):
        user = accounts.create_user(
            session, email=f"{name}@skyways.test", name=name.title(), password=PASSWORD
        )
        accounts.add_membership(session, user=user, brand=brand, role=role)
        found[name] = user
    session.commit()
    return found


@pytest.fixture
def billing(session: Session, brand: Brand) -> Team:
    team = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    session.commit()
    return team


@pytest.fixture
def case(session: Session, brand: Brand, people: dict[str, User]) -> Case:
    found = add_case(
        session, brand=brand, subject="Charged twice for my seat", handle="ann", opened_hours_ago=30
    )
    found.assignee_id = people["carla"].id
    session.commit()
    return found


@pytest.fixture
def x_messages(session: Session, brand: Brand) -> Iterator[Receiver]:
    """The brand's webhook that sends messages on X, on loopback: the survey link goes through it."""
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    session.add(
        ReplySink(brand_id=brand.id, name="X DMs", kind=SinkKind.WEBHOOK, channels=["x"], url=found.url)
    )
    session.commit()
    yield found
    found.server.shutdown()
    found.server.server_close()


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def section(page: str, testid: str) -> str:
    """The HTML from the element marked ``data-testid=testid`` to the end of its section."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def test_the_tasks_page_lists_a_teams_overdue_open_and_done_tasks(
    client: TestClient, session: Session, people: dict[str, User], billing: Team, case: Case
) -> None:
    now = utcnow()
    asker, worker = Actor(people["carla"]), Actor(people["bill"])
    tasks.create_task(
        session,
        case=case,
        team=billing,
        title="Refund the fee",
        due_at=now - timedelta(hours=2),
        actor=asker,
        now=now,
    )
    tasks.create_task(
        session,
        case=case,
        team=billing,
        title="Check the invoice",
        due_at=now + timedelta(days=2),
        actor=asker,
        now=now,
    )
    finished = tasks.create_task(
        session, case=case, team=billing, title="Void the old card", actor=asker, now=now
    )
    tasks.complete_task(session, task=finished, case=case, note="voided it", actor=worker, now=now)
    session.commit()

    sign_in(client, "bill@skyways.test")
    page = client.get(f"/tasks?team={billing.id}").text
    assert "Tasks for Billing" in page
    overdue, open_, done = (section(page, f"tasks-{key}") for key in ("overdue", "open", "done"))
    assert "Refund the fee" in overdue
    assert "Check the invoice" not in overdue
    assert "Check the invoice" in open_
    assert "Charged twice for my seat" in open_
    assert "Void the old card" in done
    assert "voided it" in done
    assert "Refund the fee" not in done


def test_billing_does_the_task_from_its_page_and_the_case_says_tell_the_customer_until_a_reply_goes_out(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    people: dict[str, User],
    billing: Team,
    case: Case,
) -> None:
    sign_in(client, "carla@skyways.test")
    page = client.get(f"/cases/{case.id}").text
    asked = client.post(
        f"/cases/{case.id}/tasks",
        data={
            "csrf_token": csrf(page),
            "team_id": str(billing.id),
            "title": "Refund the second charge",
            "due": "",
        },
    )
    assert asked.status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert "Refund the second charge" in section(page, "case-tasks")
    assert 'data-status="open"' in section(page, "case-tasks")
    refused = client.post(f"/cases/{case.id}/status", data={"csrf_token": csrf(page), "status": "resolved"})
    assert refused.status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert "cannot be resolved while task" in page
    assert 'data-testid="tell-customer"' not in page

    client.cookies.clear()
    sign_in(client, "bill@skyways.test")
    queue = client.get(f"/tasks?team={billing.id}").text
    task_id = re.search(r'data-testid="queue-task" data-task-id="(\d+)"', queue)
    assert task_id
    done = client.post(
        f"/tasks/{task_id.group(1)}/done",
        data={"csrf_token": csrf(queue), "note": "Refunded 40 EUR", "next": "tasks"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/tasks?team={billing.id}"
    assert "Refund the second charge" in section(client.get(done.headers["location"]).text, "tasks-done")

    client.cookies.clear()
    sign_in(client, "carla@skyways.test")
    page = client.get(f"/cases/{case.id}").text
    assert "Tell the customer what was done" in section(page, "case-tasks")
    assert "Task done by Billing: Refund the second charge" in page
    assert 'data-testid="tell-customer-badge"' in client.get("/inbox").text

    replied = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": "We refunded the second charge of 40 EUR.", "visibility": "private"},
        headers={"X-CSRF-Token": csrf(page)},
    )
    assert replied.status_code == 201, replied.text
    deliver_due_replies(session_factory)  # no connector sends on X here: the agent posts it by hand
    assert 'data-testid="tell-customer"' in client.get(f"/cases/{case.id}").text, "not told until posted"
    posted = client.post(
        f"/api/v1/replies/{replied.json()['id']}/posted", headers={"X-CSRF-Token": csrf(page)}
    )
    assert posted.status_code == 200, posted.text
    page = client.get(f"/cases/{case.id}").text
    assert 'data-testid="tell-customer"' not in page
    assert 'data-testid="tell-customer-badge"' not in client.get("/inbox").text
    resolved = client.post(f"/cases/{case.id}/status", data={"csrf_token": csrf(page), "status": "resolved"})
    assert resolved.status_code == 303
    session.expire_all()
    assert session.get(Case, case.id).status is CaseStatus.RESOLVED  # type: ignore[union-attr]


def test_only_a_manager_sees_and_uses_the_waiver(
    client: TestClient, session: Session, people: dict[str, User], billing: Team, case: Case
) -> None:
    task = tasks.create_task(
        session, case=case, team=billing, title="Check the log", actor=Actor(people["carla"]), now=utcnow()
    )
    session.commit()
    sign_in(client, "carla@skyways.test")
    page = client.get(f"/cases/{case.id}").text
    assert f'action="/tasks/{task.id}/waive"' not in page
    client.post(f"/tasks/{task.id}/waive", data={"csrf_token": csrf(page), "reason": "not needed"})
    assert "only a manager" in client.get(f"/cases/{case.id}").text

    client.cookies.clear()
    sign_in(client, "mona@skyways.test")
    page = client.get(f"/cases/{case.id}").text
    assert f'action="/tasks/{task.id}/waive"' in page
    client.post(f"/tasks/{task.id}/waive", data={"csrf_token": csrf(page), "reason": "The bank reversed it"})
    page = client.get(f"/cases/{case.id}").text
    assert "Task for Billing waived: Check the log" in page
    assert "Reason: The bank reversed it" in page


def test_a_task_due_in_year_1_or_9999_is_refused_from_the_case_page(
    client: TestClient, session: Session, people: dict[str, User], billing: Team, case: Case
) -> None:
    sign_in(client, "carla@skyways.test")
    page = client.get(f"/cases/{case.id}").text
    for due in ("0001-01-01", "9999-12-31"):
        asked = client.post(
            f"/cases/{case.id}/tasks",
            data={"csrf_token": csrf(page), "team_id": str(billing.id), "title": "Refund it", "due": due},
        )

        assert asked.status_code == 303
        assert "Due: must be in the years 1970 to 2100." in client.get(f"/cases/{case.id}").text
    assert session.scalars(select(Task)).all() == []


def test_the_survey_link_is_no_word_of_what_was_done_so_the_customer_is_still_owed_one(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    people: dict[str, User],
    billing: Team,
    case: Case,
    x_messages: Receiver,
) -> None:
    now = utcnow()
    asker, worker = Actor(people["carla"]), Actor(people["bill"])
    task = tasks.create_task(
        session, case=case, team=billing, title="Refund the second charge", actor=asker, now=now
    )
    tasks.complete_task(session, task=task, case=case, note="Refunded 40 EUR", actor=worker, now=now)
    change_status(session, case=case, status=CaseStatus.RESOLVED, actor=asker)
    session.commit()

    send_survey_links(session_factory, public_url="https://desk.skyways.test")
    deliver_due_replies(session_factory)
    assert [body["kind"] for body in x_messages.bodies] == ["survey"]

    sign_in(client, "carla@skyways.test")
    assert 'data-testid="tell-customer"' in client.get(f"/cases/{case.id}").text
    # Ann asks what happened; her case is open again, and the inbox still says what she is owed.
    session.expire_all()
    asked = write(session, brand, text="So was the second charge refunded?", at=utcnow(), handle="ann")
    assert asked.case_id == case.id
    assert session.get(Case, case.id).status is CaseStatus.OPEN  # type: ignore[union-attr]
    assert 'data-testid="tell-customer-badge"' in client.get("/inbox").text


def test_the_tasks_page_opens_on_the_persons_own_team(
    client: TestClient, session: Session, people: dict[str, User], billing: Team
) -> None:
    # teams by name: Billing, then Care; Bill works in Care, so his page opens there, not on Billing
    care = session.scalars(select(Team).where(Team.slug == "care")).one()
    session.add(TeamMember(team_id=care.id, user_id=people["bill"].id))
    session.commit()
    sign_in(client, "bill@skyways.test")
    assert "Tasks for Care" in client.get("/tasks").text
    client.cookies.clear()
    sign_in(client, "carla@skyways.test")  # in no team: the brand's first
    assert "Tasks for Billing" in client.get("/tasks").text
