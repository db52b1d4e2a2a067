"""Every answer carries the security headers, errors too, and nothing personal is kept in a cache."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, User
from ombuds.settings import Settings
from ombuds.web.app import create_app

SECRET = "a-secret-key-long-enough-for-the-tests-0123456789"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings=Settings(data_dir=tmp_path, secret_key=SECRET), session_factory=session_factory)

    @app.get("/api/v1/broken", include_in_schema=False)
    @app.get("/broken", include_in_schema=False)
    def broken() -> None:
        raise RuntimeError("a bug in a view")

    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        yield client


def _assert_secured(answer: httpx2.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, f"{answer.request.url.path}: {name}"


def _sign_in(client: TestClient, user: User) -> None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    answer = client.post(
        "/login", data={"email": user.email, "password": "correct horse", "csrf_token": found.group(1)}
    )
    assert answer.status_code == 303


def test_error_answers_carry_the_security_headers(client: TestClient, agent: User) -> None:
    answers = {
        "page 404": client.get("/no-such-page"),
        "api 404": client.get("/api/v1/no-such-thing"),
        "api 401": client.get("/api/v1/cases"),
        "page 500": client.get("/broken"),
        "api 500": client.get("/api/v1/broken"),
    }
    _sign_in(client, agent)
    answers["page 4xx"] = client.get("/inbox?page=not-a-number")
    answers["api 4xx"] = client.get("/api/v1/cases?limit=not-a-number")

    for what, answer in answers.items():
        expected = what.split()[1]
        assert str(answer.status_code).startswith(expected.rstrip("x")), f"{what}: {answer.status_code}"
        _assert_secured(answer)
    assert "Content-Security-Policy" in answers["page 404"].headers


def test_signed_in_pages_and_api_answers_are_not_cached_but_static_files_are(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    _, token = actions.create_api_token(session, brand=brand, name="bridge")
    session.commit()
    _sign_in(client, agent)

    for answer in (
        client.get("/inbox"),
        client.get("/api/v1/cases"),
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}),
    ):
        assert answer.status_code == 200
        _assert_secured(answer)

    stylesheet = client.get("/static/app.css")
    assert stylesheet.status_code == 200
    assert stylesheet.headers.get("Cache-Control") != "no-store"
