"""Signing out ends the session everywhere: a copy of the cookie stops working at once.

The copy stands for a cookie taken from a shared computer, a proxy log or a stolen laptop: it
must stop working when its owner signs out, changes their password or is deactivated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import User
from ombuds.settings import Settings
from ombuds.web.app import create_app

PASSWORD = "correct horse"
COOKIE = "ombuds_session"


@pytest.fixture
def app(session_factory: sessionmaker[Session], tmp_path: Path) -> FastAPI:
    return create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Callable[[], TestClient]]:
    """Opens browsers on the app: each has its own cookie jar."""
    opened: list[TestClient] = []

    def open_browser() -> TestClient:
        client = TestClient(app, follow_redirects=False)
        opened.append(client.__enter__())
        return client

    yield open_browser
    for client in opened:
        client.__exit__(None, None, None)


def csrf_in(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in and return the session cookie, as someone copying it would see it."""
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_in(client.get("/login").text)},
    )
    assert answer.status_code == 303, answer.text
    assert client.get("/inbox").status_code == 200
    cookie = client.cookies.get(COOKIE)
    assert cookie
    return cookie


def with_cookie(open_browser: Callable[[], TestClient], cookie: str) -> TestClient:
    client = open_browser()
    client.cookies.set(COOKIE, cookie)
    return client


def assert_signed_out(client: TestClient) -> None:
    page = client.get("/inbox")
    assert page.status_code == 303
    assert page.headers["location"] == "/login"
    assert client.get("/api/v1/cases").status_code == 401


def test_a_cookie_copied_before_sign_out_no_longer_opens_the_inbox(
    browser: Callable[[], TestClient], agent: User
) -> None:
    own = browser()
    copied = sign_in(own, agent.email)
    thief = with_cookie(browser, copied)
    assert thief.get("/inbox").status_code == 200  # the copy works while the session lives

    signed_out = own.post("/logout", data={"csrf_token": csrf_in(own.get("/inbox").text)})

    assert signed_out.status_code == 303
    assert_signed_out(thief)
    assert_signed_out(own)
    sign_in(own, agent.email)  # signing in again works, with a fresh cookie
    assert_signed_out(thief)


def test_signing_out_on_one_browser_ends_the_session_on_the_others(
    browser: Callable[[], TestClient], agent: User
) -> None:
    laptop, phone = browser(), browser()
    sign_in(laptop, agent.email)
    sign_in(phone, agent.email)

    laptop.post("/logout", data={"csrf_token": csrf_in(laptop.get("/inbox").text)})

    assert_signed_out(phone)


def test_a_new_password_ends_sessions_signed_in_with_the_old_one(
    browser: Callable[[], TestClient], session: Session, agent: User
) -> None:
    copied = sign_in(browser(), agent.email)

    actions.change_password(session, user=agent, password="battery staple")
    session.commit()

    assert_signed_out(with_cookie(browser, copied))
    assert sign_in(browser(), agent.email, "battery staple")


def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(
    browser: Callable[[], TestClient], session: Session, agent: User
) -> None:
    copied = sign_in(browser(), agent.email)

    assert actions.deactivate_user(session, user=agent) is True
    session.commit()
    assert_signed_out(with_cookie(browser, copied))

    agent.is_active = True
    session.commit()
    assert_signed_out(with_cookie(browser, copied))
