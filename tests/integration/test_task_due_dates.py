"""A task's due date is a day where the brand is: Los Angeles has until its own midnight, Sydney until
its own, and the case page, the team's Tasks page, the reminder and the API all agree on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, TeamMember, User
from ombuds.cases.models import Case
from ombuds.notifications.models import Notification
from ombuds.tasks import pages
from ombuds.tasks.reminders import remind_overdue_tasks
from tests.integration.test_resolutions_api import token_for
from tests.integration.test_web_cases import PASSWORD, add_case, sign_in

Headers = dict[str, str]

EVENING_OF_THE_4TH_IN_LA = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 18:00 on 4 December there
NIGHT_AFTER_THE_4TH_IN_LA = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)  # 00:30 on 5 December there


@pytest.fixture
def manager(session: Session, brand: Brand) -> Headers:
    return token_for(session, brand, "mona@skyways.test", Role.MANAGER)


@pytest.fixture
def bill(session: Session, brand: Brand) -> User:
    user = accounts.create_user(session, email="bill@skyways.test", name="Bill", password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=Role.AGENT)
    session.commit()
    return user


@pytest.fixture
def billing(session: Session, brand: Brand, bill: User) -> Team:
    team = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    session.add(TeamMember(team_id=team.id, user_id=bill.id, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    session.commit()
    return team


@pytest.fixture
def case(session: Session, brand: Brand) -> Case:
    found = add_case(
        session, brand=brand, subject="Charged twice for my seat", handle="ann", opened_hours_ago=30
    )
    session.commit()
    return found


def business_hours_in(client: TestClient, headers: Headers, timezone: str) -> None:
    """The brand's manager puts its business hours in ``timezone``: the brand's time zone."""
    policy = client.get("/api/v1/sla-policy", headers=headers).json()
    changed = client.put("/api/v1/sla-policy", json={**policy, "timezone": timezone}, headers=headers)
    assert changed.status_code == 200, changed.text


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def ask_from_the_case_page(client: TestClient, case: Case, billing: Team, *, title: str, due: str) -> None:
    page = client.get(f"/cases/{case.id}").text
    asked = client.post(
        f"/cases/{case.id}/tasks",
        data={"csrf_token": csrf(page), "team_id": str(billing.id), "title": title, "due": due},
    )
    assert asked.status_code == 303
    assert f"Task for Billing: {title}" in client.get(f"/cases/{case.id}").text


def listed_due(client: TestClient, headers: Headers) -> dict[str, str]:
    return {task["title"]: task["due_at"] for task in client.get("/api/v1/tasks", headers=headers).json()}


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The pages see ``moment`` as now."""
    monkeypatch.setattr(pages, "utcnow", lambda: moment)


def test_due_on_the_4th_in_los_angeles_is_open_that_evening_and_overdue_after_midnight_there(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    manager: Headers,
    billing: Team,
    case: Case,
) -> None:
    business_hours_in(client, manager, "America/Los_Angeles")
    sign_in(client, "bill@skyways.test")
    ask_from_the_case_page(client, case, billing, title="Refund the second charge", due="2026-12-04")

    at(monkeypatch, EVENING_OF_THE_4TH_IN_LA)
    queue = client.get(f"/tasks?team={billing.id}").text
    assert "Refund the second charge" not in section(queue, "tasks-overdue")
    assert "Refund the second charge" in section(queue, "tasks-open")
    assert "due Fri 04 Dec 2026 (America/Los_Angeles)" in section(queue, "tasks-open")
    page = client.get(f"/cases/{case.id}").text
    shown = section(page, "case-tasks")
    assert "due Fri 04 Dec 2026 (America/Los_Angeles)" in shown
    assert 'class="muted" data-testid="task-due"' in shown  # not marked overdue
    assert "Due (the end of that day, Los Angeles time)" in shown  # the form says what a date means
    assert listed_due(client, manager) == {"Refund the second charge": "2026-12-05T07:59:59.999999Z"}

    at(monkeypatch, NIGHT_AFTER_THE_4TH_IN_LA)
    shown = section(client.get(f"/cases/{case.id}").text, "case-tasks")
    assert 'class="muted overdue" data-testid="task-due"' in shown
    queue = client.get(f"/tasks?team={billing.id}").text
    assert "Refund the second charge" in section(queue, "tasks-overdue")
    assert "due Fri 04 Dec 2026 (America/Los_Angeles)" in section(queue, "tasks-overdue")
    assert "Refund the second charge" not in section(queue, "tasks-open")


def test_the_reminder_waits_for_midnight_in_los_angeles_and_names_the_day_there(
    client: TestClient,
    session_factory: sessionmaker[Session],
    manager: Headers,
    bill: User,
    billing: Team,
    case: Case,
) -> None:
    business_hours_in(client, manager, "America/Los_Angeles")
    sign_in(client, "bill@skyways.test")
    ask_from_the_case_page(client, case, billing, title="Refund the second charge", due="2026-12-04")

    assert remind_overdue_tasks(session_factory, now=EVENING_OF_THE_4TH_IN_LA).reminded == []
    assert len(remind_overdue_tasks(session_factory, now=NIGHT_AFTER_THE_4TH_IN_LA).reminded) == 1

    with session_factory() as check:
        told = check.scalars(select(Notification.text).where(Notification.user_id == bill.id)).all()
    assert told == [
        f"Overdue task for Billing: Refund the second charge (due Fri 04 Dec 2026 (America/Los_Angeles), case #{case.id})"
    ]


def test_due_on_the_4th_in_sydney_is_overdue_once_the_4th_ends_there_hours_before_it_ends_in_utc(
    client: TestClient,
    session_factory: sessionmaker[Session],
    manager: Headers,
    billing: Team,
    case: Case,
) -> None:
    business_hours_in(client, manager, "Australia/Sydney")
    sign_in(client, "bill@skyways.test")
    ask_from_the_case_page(client, case, billing, title="Check the invoice", due="2026-12-04")

    assert listed_due(client, manager) == {"Check the invoice": "2026-12-04T12:59:59.999999Z"}
    before_midnight_there = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)  # 23:30 on the 4th in Sydney
    assert remind_overdue_tasks(session_factory, now=before_midnight_there).reminded == []
    after_midnight_there = datetime(2026, 12, 4, 13, 30, tzinfo=UTC)  # 00:30 on the 5th in Sydney
    assert len(remind_overdue_tasks(session_factory, now=after_midnight_there).reminded) == 1


def test_the_day_los_angeles_puts_its_clocks_back_lasts_until_its_own_midnight(
    client: TestClient, manager: Headers, billing: Team, case: Case
) -> None:
    business_hours_in(client, manager, "America/Los_Angeles")
    sign_in(client, "bill@skyways.test")
    ask_from_the_case_page(client, case, billing, title="Before the change", due="2026-10-31")
    ask_from_the_case_page(client, case, billing, title="On the change", due="2026-11-01")

    assert listed_due(client, manager) == {
        "Before the change": "2026-11-01T06:59:59.999999Z",  # daylight time, -07:00
        "On the change": "2026-11-02T07:59:59.999999Z",  # standard time, -08:00: a 25-hour day
    }
    shown = section(client.get(f"/cases/{case.id}").text, "case-tasks")
    assert "due Sat 31 Oct 2026 (America/Los_Angeles)" in shown
    assert "due Sun 01 Nov 2026 (America/Los_Angeles)" in shown


def test_a_moment_from_the_api_keeps_its_time_and_reads_in_the_brands_zone(
    client: TestClient, manager: Headers, billing: Team, case: Case
) -> None:
    business_hours_in(client, manager, "America/Los_Angeles")
    asked = client.post(
        f"/api/v1/cases/{case.id}/tasks",
        json={"team_id": billing.id, "title": "Call the bank", "due_at": "2026-12-03T12:00:00+00:00"},
        headers=manager,
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["due_at"] == "2026-12-03T12:00:00Z"

    sign_in(client, "bill@skyways.test")
    shown = section(client.get(f"/cases/{case.id}").text, "case-tasks")
    assert "due Thu 03 Dec 2026 04:00 PST" in shown


def test_a_brand_without_business_hours_has_days_in_utc(
    client: TestClient, manager: Headers, billing: Team, case: Case
) -> None:
    sign_in(client, "bill@skyways.test")
    ask_from_the_case_page(client, case, billing, title="Refund the second charge", due="2026-12-04")

    assert listed_due(client, manager) == {"Refund the second charge": "2026-12-04T23:59:59.999999Z"}
    shown = section(client.get(f"/cases/{case.id}").text, "case-tasks")
    assert "due Fri 04 Dec 2026 (UTC)" in shown
    assert "Due (the end of that day, UTC time)" in shown
