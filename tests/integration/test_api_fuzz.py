"""Schema-driven fuzzing: requests generated from the OpenAPI document never get a 5xx.

Schemathesis reads /api/v1/openapi.json from the app itself and calls every operation in-process
(ASGI, no network) with valid and invalid values, as a machine with a bearer token and as a
signed-in person. The number of examples is bounded so the run stays well under a minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role
from ombuds.clock import utcnow
from ombuds.incidents import actions as incident_actions
from ombuds.settings import Settings
from ombuds.web.app import create_app

PASSWORD = "correct horse"
SECRET = "fuzz-secret-key-long-enough-for-any-check-0123456789"
#: Spread over every operation of the document (about two dozen), valid and invalid alike.
EXAMPLES = 300

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written beside the repository; every run starts fresh
    derandomize=True,  # the same requests each run, so a failure can be replayed
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def app(session_factory: sessionmaker[Session], session: Session, brand: Brand, tmp_path: Path) -> FastAPI:
    """The app with a brand that has something to find: an incident, so ids 1 exist."""
    incident_actions.open_incident(
        session, brand_id=brand.id, title="Bags left in Lisbon", actor_id=None, now=utcnow()
    )
    session.commit()
    return create_app(
        settings=Settings(data_dir=tmp_path, secret_key=SECRET),
        session_factory=session_factory,
    )


@pytest.fixture
def bearer(session: Session, brand: Brand) -> dict[str, str]:
    _, token = actions.create_api_token(session, brand=brand, name="fuzzer")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def signed_in(
    app: FastAPI, session: Session, brand: Brand
) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """A manager's session cookie and the CSRF header that lets the session write."""
    user = actions.create_user(session, email="mo@skyways.test", name="Mo Manager", password=PASSWORD)
    actions.add_membership(session, user=user, brand=brand, role=Role.MANAGER)
    session.commit()
    with TestClient(app) as browser:
        form = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
        assert form is not None
        browser.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": form.group(1)},
            follow_redirects=False,
        )
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/inbox").text)
        assert csrf is not None
        yield {"X-CSRF-Token": csrf.group(1)}, dict(browser.cookies)


def _schema() -> schemathesis.BaseSchema:
    """The API's OpenAPI document as the app serves it; requests go to each test's own app."""
    # The routes alone make the document: this app is never called, so it needs no database.
    app = create_app(
        settings=Settings(data_dir=Path("unused"), secret_key=SECRET), session_factory=sessionmaker()
    )
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


schema = _schema()


def no_server_error(case: Case, app: FastAPI, **auth: dict[str, str]) -> None:
    response = case.call(app=app, **auth)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: {response.text[:500]}\n"
        f"reproduce: {case.as_curl_command()}"
    )


@pytest.mark.slow
@given(case=schema.as_strategy())
@FUZZ_SETTINGS
def test_no_request_with_a_token_gets_a_server_error(
    case: Case, app: FastAPI, bearer: dict[str, str]
) -> None:
    no_server_error(case, app, headers=bearer)


@pytest.mark.slow
@given(case=schema.as_strategy())
@FUZZ_SETTINGS
def test_no_request_from_a_signed_in_person_gets_a_server_error(
    case: Case, app: FastAPI, signed_in: tuple[dict[str, str], dict[str, str]]
) -> None:
    headers, cookies = signed_in
    no_server_error(case, app, headers=headers, cookies=cookies)
