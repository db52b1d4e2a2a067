"""A brand's manager sets how long a resolved case can be reopened by the customer writing again,
and the words of the survey message, through the API or the command line; others cannot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.clock import utcnow
from ombuds.surveys.values import DEFAULT_MESSAGE
from tests.conftest import Ombuds
from tests.integration.test_surveys_and_outcomes import conversation, resolve, write
from tests.integration.test_web_cases import PASSWORD, sign_in

DAY = timedelta(days=1)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def token_for(session: Session, brand: Brand, role: Role | None) -> dict[str, str]:
    user: User | None = None
    if role is not None:
        user = accounts.create_user(
            session, email=f"{role.value}@skyways.test", name=role.value.title(), password="correct horse"
        )
        accounts.add_membership(session, user=user, brand=brand, role=role)
    _, plain = accounts.create_api_token(session, brand=brand, name=f"as {role}", user=user)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_a_manager_sets_the_reopen_window_and_a_customer_writing_within_it_reopens_the_case(
    client: TestClient, session: Session, brand: Brand
) -> None:
    manager = token_for(session, brand, Role.MANAGER)
    shown = client.get("/api/v1/closing-settings", headers=manager)
    assert shown.status_code == 200
    assert shown.json() == {
        "reopen_window_days": 7,
        "survey_message": None,
        "default_survey_message": DEFAULT_MESSAGE,
    }

    changed = client.put("/api/v1/closing-settings", json={"reopen_window_days": 30}, headers=manager)
    assert changed.status_code == 200, changed.text
    assert changed.json()["reopen_window_days"] == 30
    session.expire_all()  # the pipeline reads the brand as it is now

    now = utcnow()
    case = conversation(session, brand, at=now - 25 * DAY)
    resolve(session, case, at=now - 20 * DAY)
    again = write(session, brand, text="The replacement bag broke too", at=now)
    assert again.case_id == case.id, "20 days after resolution is inside a 30-day window"
    session.refresh(case)
    assert case.reopened == 1


@pytest.mark.parametrize("days", [0, 91, -3])
def test_a_window_outside_one_to_ninety_days_is_refused_and_nothing_changes(
    client: TestClient, session: Session, brand: Brand, days: int
) -> None:
    manager = token_for(session, brand, Role.MANAGER)
    refused = client.put("/api/v1/closing-settings", json={"reopen_window_days": days}, headers=manager)
    assert refused.status_code == 422
    assert "reopen_window_days: from 1 to 90 days" in refused.text
    assert client.get("/api/v1/closing-settings", headers=manager).json()["reopen_window_days"] == 7


def test_the_survey_wording_needs_the_link_and_can_go_back_to_the_default(
    client: TestClient, session: Session, brand: Brand
) -> None:
    manager = token_for(session, brand, Role.MANAGER)
    no_link = client.put(
        "/api/v1/closing-settings", json={"survey_message": "Hi {first_name}, rate us!"}, headers=manager
    )
    assert no_link.status_code == 422
    assert "include {survey_url}" in no_link.text
    unknown = client.put(
        "/api/v1/closing-settings", json={"survey_message": "Hi {name}: {survey_url}"}, headers=manager
    )
    assert unknown.status_code == 422
    assert "unknown placeholder {name}" in unknown.text

    wording = "Hi {first_name}, did we fix it? {survey_url}"
    kept = client.put("/api/v1/closing-settings", json={"survey_message": wording}, headers=manager)
    assert kept.json()["survey_message"] == wording
    only_days = client.put("/api/v1/closing-settings", json={"reopen_window_days": 3}, headers=manager)
    assert only_days.json()["survey_message"] == wording, "a field left out stays as it is"
    back = client.put("/api/v1/closing-settings", json={"survey_message": None}, headers=manager)
    assert back.json()["survey_message"] is None
    assert back.json()["reopen_window_days"] == 3


def test_only_managers_and_admins_change_the_settings(
    client: TestClient, session: Session, brand: Brand
) -> None:
    for headers in (token_for(session, brand, Role.AGENT), token_for(session, brand, None)):
        refused = client.put("/api/v1/closing-settings", json={"reopen_window_days": 30}, headers=headers)
        assert refused.status_code == 403
        assert "managers and admins do" in refused.text
        assert client.get("/api/v1/closing-settings", headers=headers).json()["reopen_window_days"] == 7
    admin = token_for(session, brand, Role.ADMIN)
    assert (
        client.put("/api/v1/closing-settings", json={"reopen_window_days": 30}, headers=admin).status_code
        == 200
    )


def test_the_operator_sets_the_window_from_the_command_line(
    ombuds: Ombuds, session: Session, brand: Brand
) -> None:
    done = ombuds(
        "brand", "set", "skyways", "--reopen-window-days", "14", "--survey-message", "Rate us: {survey_url}"
    )
    assert done.exit_code == 0, done.output
    assert "reopen window 14 days" in done.output
    session.refresh(brand)
    assert brand.reopen_window_days == 14

    refused = ombuds("brand", "set", "skyways", "--reopen-window-days", "120")
    assert refused.exit_code != 0
    assert "from 1 to 90 days" in refused.output
    unknown = ombuds("brand", "set", "nowhere", "--reopen-window-days", "10")
    assert unknown.exit_code != 0
    assert "no brand with slug 'nowhere'" in unknown.output
    session.refresh(brand)
    assert brand.reopen_window_days == 14


def test_a_manager_changes_the_window_on_the_surveys_page_and_an_agent_only_reads_it(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    boss = accounts.create_user(session, email="mia@skyways.test", name="Mia Manager", password=PASSWORD)
    accounts.add_membership(session, user=boss, brand=brand, role=Role.MANAGER)
    session.commit()

    sign_in(client, boss.email)
    page = client.get("/surveys")
    assert page.status_code == 200
    assert 'name="reopen_window_days"' in page.text
    token = csrf(page.text)
    refused = client.post(
        "/surveys", data={"csrf_token": token, "reopen_window_days": "120", "survey_message": ""}
    )
    assert refused.status_code == 303
    assert "from 1 to 90 days, got 120" in client.get("/surveys").text
    saved = client.post(
        "/surveys",
        data={"csrf_token": token, "reopen_window_days": "21", "survey_message": "Rate us: {survey_url}"},
    )
    assert saved.status_code == 303
    shown = client.get("/surveys").text
    assert "within 21 days reopens their case" in shown
    assert "Rate us: {survey_url}" in shown
    session.refresh(brand)
    assert brand.reopen_window_days == 21

    client.cookies.clear()
    sign_in(client, agent.email)
    read_only = client.get("/surveys").text
    assert 'name="reopen_window_days"' not in read_only
    assert "21 days" in read_only
    sneaked = client.post("/surveys", data={"csrf_token": csrf(read_only), "reopen_window_days": "2"})
    assert sneaked.status_code == 303
    session.refresh(brand)
    assert brand.reopen_window_days == 21
