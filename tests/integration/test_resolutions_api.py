"""Empowered resolutions over the API: an agent gives within their limit at once, a manager decides the rest."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.models import Case
from tests.integration.test_web_cases import PASSWORD, add_case

CREDIT = {
    "kind": "credit",
    "label": "Travel credit",
    "currency": "EUR",
    "limits": {"agent": 100, "manager": 1000},
}


def token_for(session: Session, brand: Brand, email: str, role: Role) -> dict[str, str]:
    """A bearer token that acts for a new member of ``brand`` with ``role``."""
    user: User = accounts.create_user(
        session, email=email, name=email.split("@")[0].title(), password=PASSWORD
    )
    accounts.add_membership(session, user=user, brand=brand, role=role)
    _, token = accounts.create_api_token(session, brand=brand, name=email, user=user)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(session: Session, brand: Brand) -> dict[str, dict[str, str]]:
    return {
        role.value: token_for(session, brand, f"{role.value}@skyways.test", role)
        for role in (Role.AGENT, Role.MANAGER, Role.ADMIN, Role.VIEWER)
    }


@pytest.fixture
def case(session: Session, brand: Brand) -> Case:
    found = add_case(session, brand=brand, subject="Missed my connection", handle="ann", opened_hours_ago=2)
    session.commit()
    return found


@pytest.fixture
def credit(client: TestClient, people: dict[str, dict[str, str]]) -> int:
    answer = client.post("/api/v1/resolution-options", json=CREDIT, headers=people["manager"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["limits"] == {"agent": "100.00", "manager": "1000.00"}
    return int(answer.json()["id"])


def give(client: TestClient, case: Case, headers: dict[str, str], **body: object) -> dict[str, object]:
    answer = client.post(f"/api/v1/cases/{case.id}/resolutions", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def timeline(client: TestClient, case: Case, headers: dict[str, str]) -> list[dict[str, object]]:
    answer = client.get(f"/api/v1/cases/{case.id}/events", headers=headers)
    assert answer.status_code == 200, answer.text
    return [event for event in answer.json() if str(event["kind"]).startswith("resolution.")]


def test_a_credit_within_the_agents_limit_applies_at_once(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    given = give(client, case, people["agent"], option_id=credit, amount=40, reason="Missed connection")
    assert given["status"] == "applied"
    assert given["amount"] == "40.00"
    assert given["currency"] == "EUR"
    assert given["requested_by_name"] == "Agent"
    events = timeline(client, case, people["agent"])
    assert [e["summary"] for e in events] == ["Travel credit: 40.00 EUR given"]
    assert events[0]["actor_name"] == "Agent"
    assert events[0]["detail"] == "Reason: Missed connection"


def test_a_credit_above_the_agents_limit_waits_for_a_manager_who_approves_it(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    asked = give(
        client, case, people["agent"], option_id=credit, amount="250.50", reason="Two nights in a hotel"
    )
    assert asked["status"] == "awaiting_approval"

    queue = client.get("/api/v1/resolutions", headers=people["manager"]).json()
    assert [item["id"] for item in queue] == [asked["id"]]

    refused = client.post(f"/api/v1/resolutions/{asked['id']}/approve", json={}, headers=people["agent"])
    assert refused.status_code == 403
    assert "manager or admin" in refused.json()["detail"]

    approved = client.post(
        f"/api/v1/resolutions/{asked['id']}/approve",
        json={"note": "Fair, the delay was ours"},
        headers=people["manager"],
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "applied"
    assert approved.json()["decided_by_name"] == "Manager"

    again = client.post(
        f"/api/v1/resolutions/{asked['id']}/decline", json={"note": "no"}, headers=people["admin"]
    )
    assert again.status_code == 409
    assert "already decided: it is applied" in again.json()["detail"]

    events = timeline(client, case, people["agent"])
    assert [e["summary"] for e in events] == [
        "Travel credit: 250.50 EUR asked for: waits for a manager's approval",
        "Travel credit: 250.50 EUR approved and given",
    ]
    assert "above the agent's limit of 100.00" in str(events[0]["detail"])
    assert events[1]["actor_name"] == "Manager"
    assert events[1]["detail"] == "Reason: Two nights in a hotel · Note: Fair, the delay was ours"
    assert client.get("/api/v1/resolutions", headers=people["manager"]).json() == []


def test_a_manager_declines_with_a_note_the_agent_reads(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    asked = give(client, case, people["agent"], option_id=credit, amount=500, reason="Angry")
    silent = client.post(f"/api/v1/resolutions/{asked['id']}/decline", json={}, headers=people["manager"])
    assert silent.status_code == 422
    declined = client.post(
        f"/api/v1/resolutions/{asked['id']}/decline",
        json={"note": "Offer 100 instead"},
        headers=people["manager"],
    )
    assert declined.json()["status"] == "declined"
    listed = client.get(f"/api/v1/cases/{case.id}/resolutions", headers=people["agent"]).json()
    assert [(r["status"], r["decision_note"]) for r in listed] == [("declined", "Offer 100 instead")]


def test_a_manager_above_their_own_limit_leaves_it_to_an_admin(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    asked = give(client, case, people["agent"], option_id=credit, amount=5000, reason="Lost luggage")
    refused = client.post(f"/api/v1/resolutions/{asked['id']}/approve", json={}, headers=people["manager"])
    assert refused.status_code == 403
    assert "an admin decides it" in refused.json()["detail"]
    approved = client.post(f"/api/v1/resolutions/{asked['id']}/approve", json={}, headers=people["admin"])
    assert approved.json()["status"] == "applied"


def test_a_viewer_reads_but_cannot_give_or_manage(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    viewer = people["viewer"]
    answer = client.post(
        f"/api/v1/cases/{case.id}/resolutions",
        json={"option_id": credit, "amount": 1, "reason": "x"},
        headers=viewer,
    )
    assert answer.status_code == 403
    assert client.post("/api/v1/resolution-options", json=CREDIT, headers=viewer).status_code == 403
    assert client.post("/api/v1/resolution-options", json=CREDIT, headers=people["agent"]).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}/resolutions", headers=viewer).status_code == 200


def test_another_brands_case_option_and_resolution_are_404(
    client: TestClient, session: Session, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    other = accounts.create_brand(session, slug="rival", name="Rival")
    accounts.create_team(session, brand=other, slug="care", name="Care", is_default=True)
    session.commit()
    rival = token_for(session, other, "agent@rival.test", Role.ADMIN)
    body = {"option_id": credit, "amount": 1, "reason": "x"}
    assert client.post(f"/api/v1/cases/{case.id}/resolutions", json=body, headers=rival).status_code == 404
    assert client.get(f"/api/v1/cases/{case.id}/resolutions", headers=rival).status_code == 404
    asked = give(client, case, people["agent"], option_id=credit, amount=300, reason="x")
    assert (
        client.post(f"/api/v1/resolutions/{asked['id']}/approve", json={}, headers=rival).status_code == 404
    )
    assert (
        client.patch(
            f"/api/v1/resolution-options/{credit}", json={"is_active": False}, headers=rival
        ).status_code
        == 404
    )
    rival_case = add_case(session, brand=other, subject="Rival's case", handle="zed", opened_hours_ago=1)
    session.commit()
    # the rival's own case cannot use this brand's option either
    foreign = client.post(f"/api/v1/cases/{rival_case.id}/resolutions", json=body, headers=rival)
    assert foreign.status_code == 422
    assert "no option" in foreign.text


@pytest.mark.parametrize(
    "amount",
    [-1, "1e400", 1e300, 1_000_000_000.01, "NaN", "Infinity", "ten euros", "", True, None, [], 0.001],
)
def test_amounts_that_are_not_money_are_422(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int, amount: object
) -> None:
    body = {"option_id": credit, "amount": amount, "reason": "x"}
    answer = client.post(f"/api/v1/cases/{case.id}/resolutions", json=body, headers=people["agent"])
    assert answer.status_code == 422, answer.text
    assert "amount" in answer.text
    assert client.get(f"/api/v1/cases/{case.id}/resolutions", headers=people["agent"]).json() == []


def test_a_raw_1e400_in_the_json_is_422(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    raw = f'{{"option_id": {credit}, "amount": 1e400, "reason": "x"}}'
    headers = people["agent"] | {"Content-Type": "application/json"}
    answer = client.post(f"/api/v1/cases/{case.id}/resolutions", content=raw, headers=headers)
    assert answer.status_code == 422, answer.text


def test_a_wrong_currency_an_empty_reason_and_a_retired_option_are_refused(
    client: TestClient, people: dict[str, dict[str, str]], case: Case, credit: int
) -> None:
    agent = people["agent"]
    url = f"/api/v1/cases/{case.id}/resolutions"
    wrong = client.post(
        url, json={"option_id": credit, "amount": 5, "currency": "USD", "reason": "x"}, headers=agent
    )
    assert wrong.status_code == 422
    assert "given in EUR, not USD" in wrong.json()["detail"]
    assert (
        client.post(url, json={"option_id": credit, "amount": 5, "reason": "  "}, headers=agent).status_code
        == 422
    )
    retired = client.patch(
        f"/api/v1/resolution-options/{credit}", json={"is_active": False}, headers=people["manager"]
    )
    assert retired.json()["is_active"] is False
    gone = client.post(url, json={"option_id": credit, "amount": 5, "reason": "x"}, headers=agent)
    assert gone.status_code == 422
    assert "no longer offered" in gone.json()["detail"]
    assert client.get("/api/v1/resolution-options", headers=agent).json() == []


def test_limits_that_make_no_sense_are_422(client: TestClient, people: dict[str, dict[str, str]]) -> None:
    for limits in ({"boss": 5}, {"agent": -1}, {"agent": "lots"}):
        answer = client.post(
            "/api/v1/resolution-options", json=CREDIT | {"limits": limits}, headers=people["admin"]
        )
        assert answer.status_code == 422, limits
