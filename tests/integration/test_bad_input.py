"""Input that cannot be stored is refused where it arrives: a clear 4xx naming the field, never a 500.

Each request here was a 500 once (integers past 64 bits, infinity, NUL characters, JSON nested
thousands deep, dates with no UTC equivalent, '²' as an id). The answers must be the same on
SQLite and PostgreSQL, and nothing may be stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, User
from ombuds.clock import utcnow
from ombuds.incidents import actions as incident_actions
from ombuds.incidents.models import Incident
from ombuds.mentions.models import Mention
from ombuds.settings import Settings
from ombuds.web.app import create_app

PASSWORD = "correct horse"
TOO_BIG = "9223372036854775808"  # 2**63: one past what a 64-bit integer column holds
SECRET = "a-test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings=Settings(data_dir=tmp_path, secret_key=SECRET), session_factory=session_factory)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def token(session: Session, brand: Brand) -> dict[str, str]:
    _, secret = actions.create_api_token(session, brand=brand, name="bridge")
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(session: Session, brand: Brand) -> User:
    user = actions.create_user(session, email="pr@skyways.test", name="Pat PR", password=PASSWORD)
    actions.add_membership(session, user=user, brand=brand, role=Role.ADMIN)
    session.commit()
    return user


@pytest.fixture
def incident(session: Session, brand: Brand) -> Incident:
    found = incident_actions.open_incident(
        session, brand_id=brand.id, title="Bags left in Lisbon", actor_id=None, now=utcnow()
    )
    session.commit()
    return found


def csrf_of(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None, f"no form on {page}"
    return found.group(1)


@pytest.fixture
def signed_in(client: TestClient, admin: User) -> str:
    """Signs the admin in; the session's CSRF token for forms."""
    answer = client.post(
        "/login",
        data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf_of(client, "/login")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client, "/inbox")


def mention(**fields: object) -> dict[str, object]:
    return {
        "external_id": "m-1",
        "author": "mara",
        "text": "My bag never arrived in Lisbon",
        "created_at": "2026-03-02T09:00:00+01:00",
        **fields,
    }


def named(answer_detail: object) -> list[str]:
    """The field names of a 422 answer's problems."""
    assert isinstance(answer_detail, list)
    return [str(problem["loc"][-1]) for problem in answer_detail]


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", f"/api/v1/cases/{TOO_BIG}", None, "case_id"),
        ("GET", f"/api/v1/cases/{2**31}", None, "case_id"),  # ids are 32-bit on PostgreSQL
        # one row, one spelling: not case 1 under another name
        ("GET", "/api/v1/cases/1.0", None, "case_id"),
        ("GET", "/api/v1/cases/+1", None, "case_id"),
        ("GET", "/api/v1/cases/1_0", None, "case_id"),
        ("GET", "/api/v1/cases/01", None, "case_id"),
        ("GET", "/api/v1/search?q=bag&limit=1.0", None, "limit"),
        ("GET", "/api/v1/cases/%D9%A1", None, "case_id"),  # Arabic-Indic one
        ("GET", "/api/v1/cases?team_id=1.0", None, "team_id"),
        ("POST", "/api/v1/cases/1/team", '{"team_id": 1.0}', "team_id"),
        ("GET", f"/api/v1/cases?offset={TOO_BIG}", None, "offset"),
        ("GET", f"/api/v1/cases?team_id={TOO_BIG}", None, "team_id"),
        ("GET", f"/api/v1/cases?assignee_id={10**30}", None, "assignee_id"),
        ("GET", f"/api/v1/incidents/{TOO_BIG}/mentions", None, "incident_id"),
        ("GET", f"/api/v1/incidents/1/mentions?offset={TOO_BIG}", None, "offset"),
        ("POST", f"/api/v1/incidents/alerts/{TOO_BIG}/read", None, "alert_id"),
        ("POST", "/api/v1/cases/1/team", f'{{"team_id": {TOO_BIG}}}', "team_id"),
        ("POST", "/api/v1/cases/1/assignee", '{"assignee_id": true}', "assignee_id"),
        ("POST", "/api/v1/cases/1/priority", '{"priority": 1e400, "reason": "storm"}', "priority"),
        ("POST", "/api/v1/cases/1/priority", '{"priority": true, "reason": "storm"}', "priority"),
        ("POST", "/api/v1/cases/1/notes", '{"text": "lost\\u0000bag"}', "text"),
        ("POST", "/api/v1/incidents", f'{{"title": "x", "mention_ids": [{TOO_BIG}]}}', 0),
        ("POST", "/api/v1/incidents", '{"title": "bag\\u0000s"}', "title"),
        ("POST", "/api/v1/incidents/1/cases", f'{{"case_id": {TOO_BIG}}}', "case_id"),
        ("POST", f"/api/v1/replies/{TOO_BIG}/posted", None, "reply_id"),
        ("POST", "/api/v1/replies/1/posted", '{"external_id": "18642\\u000029987"}', "external_id"),
        # a key given twice: the last would win here, the first elsewhere
        ("POST", "/api/v1/cases/1/notes", '{"text": "refund sent", "text": "no refund"}', "text"),
        ("POST", "/api/v1/mentions", '{"external_id": "m-1", "metrics": {"likes": 1, "likes": 2}}', "likes"),
        # a key JSON cannot write back (a lone surrogate) is named escaped, not answered with a 500
        (
            "POST",
            "/api/v1/replies/check",
            '{"case_id": 1, "text": "a", "\\ud800": 1, "\\ud800": 2}',
            "\\ud800",
        ),
    ],
)
def test_numbers_past_64_bits_infinity_booleans_and_nul_get_a_422_naming_the_field(
    client: TestClient, token: dict[str, str], method: str, url: str, body: str | None, field: str | int
) -> None:
    answer = client.request(method, url, content=body, headers={**token, "Content-Type": "application/json"})

    assert answer.status_code == 422, answer.text
    assert str(field) in named(answer.json()["detail"])


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        (json.dumps(mention(created_at="0001-01-01T00:00:00+05:00")), "created_at", "1970 to 2100"),
        (json.dumps(mention(created_at="9999-12-31T23:59:59-05:00")), "created_at", "1970 to 2100"),
        (json.dumps(mention(text="lost\u0000bag")), "text", "NUL"),
        (json.dumps(mention(author="ma\u0000ra")), "author", "NUL"),
        (json.dumps(mention(followers=True)), "followers", "integer"),
        (json.dumps(mention(metrics={"likes": 1})).replace("1}", "1e400}"), "likes", "finite"),
        (json.dumps(mention(metrics={"likes": 1})).replace("1}", "9" * 5000 + "}"), "body", "too long"),
        ("[" * 3000 + "]" * 3000, "body", "nested too deeply"),
        (
            json.dumps(mention()).replace('"text"', '"text": "fine", "text"'),
            "text",
            "given twice in one object",
        ),
    ],
)
def test_a_mention_that_cannot_be_stored_is_refused_and_nothing_is_stored(
    client: TestClient,
    session_factory: sessionmaker[Session],
    token: dict[str, str],
    body: str,
    field: str,
    says: str,
) -> None:
    answer = client.post("/api/v1/mentions", content=body.encode(), headers=token)

    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["detail"]
    assert problem["loc"][-1] == field
    assert says in problem["msg"]
    with session_factory() as check:
        assert check.scalar(select(func.count()).select_from(Mention)) == 0


def test_pages_answer_a_wrong_address_with_not_found_and_a_wrong_value_with_its_name(
    client: TestClient, signed_in: str
) -> None:
    far_page = client.get(f"/inbox?page={10**21}")
    no_case = client.get(f"/cases/{TOO_BIG}")
    no_promise = client.get("/promises/abc")
    nul_note = client.post("/cases/1/notes", data={"note": "lost\u0000bag", "csrf_token": signed_in})

    assert far_page.status_code == 400
    assert "“page” must be at most" in far_page.text
    assert (no_case.status_code, no_promise.status_code) == (404, 404)
    assert nul_note.status_code == 400
    assert "“note” contains a NUL character" in nul_note.text
    for answer in (far_page, no_case, no_promise, nul_note):
        assert "Input should" not in answer.text
        assert "path." not in answer.text


def test_an_id_such_as_superscript_two_in_a_form_is_refused_and_changes_nothing(
    client: TestClient,
    session_factory: sessionmaker[Session],
    signed_in: str,
    admin: User,
    incident: Incident,
) -> None:
    # "²".isdigit() is true, yet int("²") fails: the id must be read as plain digits.
    owner = client.post(f"/incidents/{incident.id}/owner", data={"owner_id": "²", "csrf_token": signed_in})
    link = client.post(f"/incidents/{incident.id}/cases", data={"case_id": "²", "csrf_token": signed_in})
    too_big = client.post(
        f"/incidents/{incident.id}/cases", data={"case_id": TOO_BIG, "csrf_token": signed_in}
    )

    assert (owner.status_code, link.status_code, too_big.status_code) == (200, 200, 200)
    assert "does not run this brand" in owner.text
    assert "No case &#39;²&#39; in this brand" in link.text or "No case '²' in this brand" in link.text
    with session_factory() as check:
        stored = check.get(Incident, incident.id)
        assert stored is not None
        assert stored.owner_id is None


def test_the_largest_offset_and_page_number_still_answer_with_an_empty_list(
    client: TestClient, token: dict[str, str], signed_in: str
) -> None:
    from ombuds.cases.pages import MAX_PAGE

    cases = client.get(f"/api/v1/cases?offset={2**63 - 1}", headers=token)
    inbox = client.get(f"/inbox?page={MAX_PAGE}")

    assert cases.status_code == 200, cases.text
    assert cases.json()["items"] == []
    assert inbox.status_code == 200
