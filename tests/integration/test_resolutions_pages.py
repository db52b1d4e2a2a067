"""Resolutions in the browser: an agent gives from the case page, a manager decides from the queue."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.responses.resolutions.actions import Requester, save_option
from ombuds.responses.resolutions.models import ResolutionOption
from ombuds.responses.resolutions.values import ResolutionKind
from tests.integration.test_web_cases import PASSWORD, add_case, sign_in


@pytest.fixture
def setting(session: Session, brand: Brand) -> tuple[Case, ResolutionOption]:
    for email, role in (("agent@skyways.test", Role.AGENT), ("manager@skyways.test", Role.MANAGER)):
        user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
        accounts.add_membership(session, user=user, brand=brand, role=role)
    case = add_case(session, brand=brand, subject="Missed my connection", handle="ann", opened_hours_ago=2)
    option = save_option(
        session,
        brand_id=brand.id,
        requester=Requester(user=None, role=Role.ADMIN),
        now=utcnow(),
        kind=ResolutionKind.CREDIT,
        label="Travel credit",
        currency="EUR",
        limits={"agent": 100, "manager": 1000},
    )
    session.commit()
    return case, option


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_an_agent_gives_within_the_limit_and_a_manager_approves_the_rest(
    client: TestClient, setting: tuple[Case, ResolutionOption]
) -> None:
    case, option = setting
    sign_in(client, "agent@skyways.test")
    page = client.get(f"/cases/{case.id}").text
    assert "Travel credit (EUR, up to 100.00)" in page
    form = {"csrf_token": csrf(page), "option_id": str(option.id), "reason": "Missed connection"}
    given = client.post(f"/cases/{case.id}/resolutions", data=form | {"amount": "40"})
    assert given.status_code == 303
    asked = client.post(f"/cases/{case.id}/resolutions", data=form | {"amount": "250,5".replace(",", ".")})
    assert asked.status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert "Travel credit: 40.00 EUR given" in page
    assert 'data-status="awaiting_approval"' in page
    bad = client.post(f"/cases/{case.id}/resolutions", data=form | {"amount": "-5"})
    assert bad.status_code == 303
    assert "An amount cannot be negative" in client.get(f"/cases/{case.id}").text

    client.cookies.clear()
    sign_in(client, "manager@skyways.test")
    queue = client.get("/resolutions").text
    assert "250.50 EUR" in queue
    assert f'<a href="/cases/{case.id}#resolutions">Case #{case.id}</a>' in queue, "which case, by its number"
    resolution_id = re.search(r'action="/resolutions/(\d+)/approve"', queue)
    assert resolution_id
    approved = client.post(
        f"/resolutions/{resolution_id.group(1)}/approve", data={"csrf_token": csrf(queue), "note": "Fair"}
    )
    assert approved.status_code == 303
    assert "Nothing waits for approval" in client.get("/resolutions").text
    page = client.get(f"/cases/{case.id}").text
    assert "Travel credit: 250.50 EUR approved and given" in page
    assert 'data-status="awaiting_approval"' not in page
