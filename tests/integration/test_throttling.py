"""Guessing passwords and flooding the API are slowed down: 429 with Retry-After, and a clear message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, User
from ombuds.settings import Settings
from ombuds.web.app import create_app

PASSWORD = "correct horse"
SECRET = "a-secret-key-long-enough-for-the-tests-0123456789"
PER_ACCOUNT = 3
PER_ADDRESS = 5
API_PER_MINUTE = 4


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path,
        secret_key=SECRET,
        sign_in_failures_per_account=PER_ACCOUNT,
        sign_in_failures_per_address=PER_ADDRESS,
        sign_in_window_seconds=600,
        api_requests_per_minute=API_PER_MINUTE,
    )
    app = create_app(settings=settings, session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, email: str, password: str) -> httpx2.Response:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return client.post("/login", data={"email": email, "password": password, "csrf_token": found.group(1)})


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inbox").text)
    assert found
    return found.group(1)


def _user(session: Session, brand: Brand, email: str) -> User:
    user = actions.create_user(session, email=email, name=email.split("@")[0], password=PASSWORD)
    actions.add_membership(session, user=user, brand=brand, role=Role.AGENT)
    session.commit()
    return user


def _assert_paused(answer: httpx2.Response, *, window_seconds: int = 600) -> None:
    assert answer.status_code == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= window_seconds
    assert "Too many failed sign-ins" in answer.text
    assert 'data-testid="login-error"' in answer.text


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_for_a_while(
    client: TestClient, agent: User
) -> None:
    for _ in range(PER_ACCOUNT):
        assert sign_in(client, agent.email, "battery staple").status_code == 401

    right = sign_in(client, agent.email, PASSWORD)

    _assert_paused(right)
    assert "try again in 10 minutes" in right.text
    assert client.get("/inbox").status_code == 303  # still not signed in
    # The email is the same account however it is typed.
    _assert_paused(sign_in(client, " AGENT@skyways.test", PASSWORD))


def test_a_success_before_the_limit_starts_the_account_count_again(client: TestClient, agent: User) -> None:
    for _ in range(PER_ACCOUNT - 1):
        assert sign_in(client, agent.email, "battery staple").status_code == 401
    assert sign_in(client, agent.email, PASSWORD).status_code == 303
    client.post("/logout", data={"csrf_token": _csrf(client)})

    for _ in range(PER_ACCOUNT - 1):
        assert sign_in(client, agent.email, "battery staple").status_code == 401
    assert sign_in(client, agent.email, PASSWORD).status_code == 303


def test_guessing_many_accounts_from_one_address_pauses_that_address(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    others = [_user(session, brand, f"rep{n}@skyways.test") for n in range(3)]
    # Spread below the per-account limit, but past the per-address one.
    guesses = [others[0].email] * 2 + [others[1].email] * 2 + [others[2].email]
    assert len(guesses) == PER_ADDRESS
    for email in guesses:
        assert sign_in(client, email, "battery staple").status_code == 401

    # An account never guessed at is refused from this address too, right password or not.
    _assert_paused(sign_in(client, agent.email, PASSWORD))


def test_an_api_token_gets_429_with_retry_after_past_its_quota(
    client: TestClient, session: Session, brand: Brand
) -> None:
    _, token = actions.create_api_token(session, brand=brand, name="helpdesk bridge")
    _, other = actions.create_api_token(session, brand=brand, name="survey bridge")
    session.commit()

    answers = [
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        for _ in range(API_PER_MINUTE + 1)
    ]

    assert [a.status_code for a in answers] == [200] * API_PER_MINUTE + [429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "at most 4 requests a minute" in refused.json()["detail"]
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    # Another token has its own quota.
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {other}"}).status_code == 200
