"""A wrong address or value is answered in words a person reads, on pages and over the API alike."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, User
from tests.integration.test_web_cases import sign_in

INTERNALS = ("Input should", "path.case_id", "errors.pydantic.dev")


def test_a_bad_case_number_says_there_is_no_such_case_and_what_numbers_look_like(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    _, secret = actions.create_api_token(session, brand=brand, name="bridge")
    session.commit()
    sign_in(client, agent.email)

    not_a_number = client.get("/cases/abc")
    missing = client.get("/cases/99999")
    api = client.get("/api/v1/cases/abc", headers={"Authorization": f"Bearer {secret}"})
    bad_limit = client.get("/api/v1/cases?limit=lots", headers={"Authorization": f"Bearer {secret}"})

    assert not_a_number.status_code == 404
    assert "There is no case “abc”; case numbers look like 308." in not_a_number.text
    assert missing.status_code == 404
    assert "There is no case 99999 here" in missing.text
    assert api.status_code == 422
    assert api.json()["message"] == "There is no case “abc”; case numbers look like 308."
    assert api.json()["detail"][0]["loc"] == ["path", "case_id"]
    assert bad_limit.status_code == 422
    assert bad_limit.json()["message"] == "“limit” must be a whole number."
    for answer in (not_a_number, missing, api, bad_limit):
        assert not any(internal in answer.text for internal in INTERNALS), answer.text
