"""Signing in and out of the web app: sessions, CSRF tokens, redirects, and what strangers get."""

from __future__ import annotations

import base64
import json
import re

import httpx2
import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.settings import Settings
from ombuds.web.sessions import CLOCK_SKEW_SECONDS

PASSWORD = "correct horse"


def csrf_from(page: httpx2.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str, **extra: str) -> httpx2.Response:
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


def test_agent_signs_in_and_lands_in_the_inbox(client: TestClient, agent: User) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    for selector in ('name="email"', 'name="password"', 'type="submit"', 'name="csrf_token"'):
        assert selector in page.text

    answer = sign_in(client, "Agent@Skyways.test ", PASSWORD)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/inbox"
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    assert "Ada Agent" in inbox.text
    assert "<h1>Inbox</h1>" in inbox.text


def test_wrong_password_and_unknown_email_get_the_same_answer(client: TestClient, agent: User) -> None:
    wrong_password = sign_in(client, agent.email, "battery staple")
    unknown_email = sign_in(client, "nobody@skyways.test", PASSWORD)

    for answer in (wrong_password, unknown_email):
        assert answer.status_code == 401
        assert "do not match an active account" in answer.text
        assert 'data-testid="login-error"' in answer.text
    # The form keeps what was typed, except the password.
    assert 'value="nobody@skyways.test"' in unknown_email.text
    assert PASSWORD not in unknown_email.text
    assert client.get("/inbox").status_code == 303


def test_a_sign_in_form_without_the_csrf_token_is_refused(client: TestClient, agent: User) -> None:
    client.get("/login")  # the browser has a session (and a token) but the forged form lacks it

    missing = client.post("/login", data={"email": agent.email, "password": PASSWORD})
    forged = client.post("/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": "guess"})

    for answer in (missing, forged):
        assert answer.status_code == 403
        assert "security token" in answer.text
    assert client.get("/inbox").status_code == 303


class _ClockAhead(TimestampSigner):
    """Another web process's signer, on a host whose clock runs ``ahead`` seconds fast."""

    def __init__(self, secret_key: str, ahead: int) -> None:
        super().__init__(secret_key)
        self.ahead = ahead

    def get_timestamp(self) -> int:
        return super().get_timestamp() + self.ahead


SESSION_LASTS = Settings.model_fields["session_max_age_seconds"].default


@pytest.mark.parametrize(
    ("ahead", "status"), [(90, 303), (CLOCK_SKEW_SECONDS + 60, 403), (-SESSION_LASTS - 60, 403)]
)
def test_a_session_written_by_a_clock_a_little_ahead_still_signs_in(
    client: TestClient, agent: User, ahead: int, status: int
) -> None:
    """The sign-in page came from one process, the form goes to another whose clock is behind
    (or the host's clock was stepped back in between): the session stands, within bounds; a
    session older than a sign-in lasts is still refused."""
    token = csrf_from(client.get("/login"))
    secret = client.app.state.settings.resolved_secret_key()  # type: ignore[attr-defined]
    payload = TimestampSigner(secret).unsign(client.cookies["ombuds_session"])
    client.cookies.set(
        "ombuds_session", _ClockAhead(secret, ahead).sign(payload).decode(), domain="testserver.local"
    )

    answer = client.post("/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": token})

    assert answer.status_code == status
    assert client.get("/inbox").status_code == (200 if status == 303 else 303)


@pytest.mark.parametrize(
    "written",
    [
        {"user_id": True, "session_version": 0},  # JSON true is no user id
        {"user_id": 2**70, "session_version": 0},
        {"user_id": "1", "session_version": 0},
        ["user_id", 1],  # not a session at all
    ],
)
def test_a_cookie_whoever_holds_the_key_fills_with_nonsense_signs_nobody_in(
    client: TestClient, agent: User, written: object
) -> None:
    """The key signs what the cookie says; what it says is still checked, and never answers a 500."""
    secret = client.app.state.settings.resolved_secret_key()  # type: ignore[attr-defined]
    payload = base64.b64encode(json.dumps(written).encode())
    for signer in (TimestampSigner(secret), _ClockAhead(secret, 2**40)):  # and a time past year 9999
        client.cookies.set("ombuds_session", signer.sign(payload).decode(), domain="testserver.local")
        answer = client.get("/inbox")
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith("/login")


def test_signing_in_starts_a_fresh_session(client: TestClient, agent: User) -> None:
    before = csrf_from(client.get("/login"))
    sign_in(client, agent.email, PASSWORD)
    after = csrf_from(client.get("/inbox"))
    assert before != after


def test_signed_out_visitors_are_sent_to_sign_in_and_come_back(client: TestClient, agent: User) -> None:
    home = client.get("/")
    assert home.status_code == 303
    assert home.headers["location"] == "/inbox"
    assert client.get("/inbox").headers["location"] == "/login"

    asked = client.get("/cases/42?tab=notes")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=/cases/42%3Ftab%3Dnotes"

    answer = sign_in(client, agent.email, PASSWORD, next="/cases/42?tab=notes")
    assert answer.headers["location"] == "/cases/42?tab=notes"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_redirects_off_site(client: TestClient, agent: User, target: str) -> None:
    answer = sign_in(client, agent.email, PASSWORD, next=target)
    assert answer.headers["location"] == "/inbox"


def test_sign_out_needs_the_token_and_ends_the_session(client: TestClient, agent: User) -> None:
    sign_in(client, agent.email, PASSWORD)
    token = csrf_from(client.get("/inbox"))

    assert client.post("/logout").status_code == 403
    assert client.get("/inbox").status_code == 200

    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert "You are signed out." in client.get("/login").text
    assert client.get("/inbox").status_code == 303


def test_a_deactivated_user_is_signed_out_at_the_next_request(
    client: TestClient, agent: User, session: Session
) -> None:
    sign_in(client, agent.email, PASSWORD)
    agent.is_active = False
    session.commit()
    assert client.get("/inbox").status_code == 303


def test_signed_out_api_and_htmx_requests_get_401_not_a_page(client: TestClient) -> None:
    api = client.get("/api/v1/cases")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/json")
    assert "bearer" in api.json()["detail"].lower()

    htmx = client.get("/inbox", headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    assert htmx.headers["HX-Redirect"] == "/login"


def test_pages_carry_security_headers_and_the_api_is_documented(client: TestClient) -> None:
    page = client.get("/login")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"

    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in schema["paths"]
    assert "/api/v1/cases/{case_id}" in schema["paths"]
    assert "/login" not in schema["paths"]
    assert client.get("/healthz").json()["status"] == "ok"


def test_unknown_pages_get_a_page_and_unknown_api_paths_get_json(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Go to the inbox" in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_the_stylesheet_is_served(client: TestClient) -> None:
    page = client.get("/login")
    found = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page.text)
    assert found
    css = client.get(found.group(1))
    assert css.status_code == 200
    assert "--primary" in css.text


@pytest.mark.parametrize("field", ["email", "password"])
def test_a_nul_in_the_sign_in_form_is_a_clear_refusal(client: TestClient, agent: User, field: str) -> None:
    typed = {"email": agent.email, "password": PASSWORD} | {field: "a\x00b"}

    answer = sign_in(client, typed["email"], typed["password"])

    assert answer.status_code == 400
    assert field in answer.text
    assert client.get("/inbox").status_code == 303
