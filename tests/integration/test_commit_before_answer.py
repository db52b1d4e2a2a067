"""What the app acknowledges is already stored: every request commits before its answer is sent.

These talk to a real uvicorn server on a loopback port: only a real HTTP exchange shows whether the
answer can reach the client before the transaction has committed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, User
from ombuds.cases.models import Case, Customer
from ombuds.clock import utcnow
from ombuds.db import make_engine
from ombuds.events import Event
from ombuds.mentions.models import Mention
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.support.live_server import LiveServer

PASSWORD = "correct horse"
ROUNDS = 60


@pytest.fixture
def server_url(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[str]:
    # Commits take a moment here, as on a busy disk or a distant PostgreSQL: an answer sent before
    # the commit then reliably arrives first, instead of only now and then.
    event.listen(session_factory, "before_commit", _slow_commit)
    server = LiveServer(create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        event.remove(session_factory, "before_commit", _slow_commit)


def _slow_commit(_session: Session) -> None:
    time.sleep(0.02)


@pytest.fixture
def observer(database_url: str) -> Iterator[Engine]:
    """A second engine, as another process would read the database: it sees only committed rows."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_every_acknowledged_mention_is_readable_the_moment_the_answer_arrives(
    server_url: str, observer: Engine, session: Session, brand: Brand
) -> None:
    _, token = actions.create_api_token(session, brand=brand, name="helpdesk bridge")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    missing: list[int] = []
    with httpx2.Client(base_url=server_url, headers=headers, timeout=30) as client:
        for round_ in range(ROUNDS):
            text = f"Bag {round_} never arrived"
            answer = client.post(
                "/api/v1/mentions",
                json={
                    "external_id": f"c-{round_}",
                    "author": "mara",
                    "text": text,
                    "created_at": "2026-03-02T09:00:00+01:00",
                },
            )
            assert answer.status_code == 200, answer.text
            [mention_id] = answer.json()["ids"]
            with Session(observer) as check:
                found = check.get(Mention, mention_id)
                if found is None:
                    missing.append(mention_id)
                else:
                    assert (found.external_id, found.text) == (f"c-{round_}", text)

    assert missing == [], f"{len(missing)} of {ROUNDS} acknowledged mentions were not yet stored"


def test_a_note_is_stored_when_the_redirect_after_the_form_arrives(
    server_url: str, observer: Engine, session: Session, brand: Brand, agent: User
) -> None:
    customer = Customer(brand_id=brand.id, display_name="Mara")
    session.add(customer)
    session.flush()
    case = Case(
        brand_id=brand.id,
        customer_id=customer.id,
        subject="Lost bag",
        channel="x",
        opened_at=utcnow(),
        last_activity_at=utcnow(),
    )
    session.add(case)
    session.commit()
    missing: list[int] = []
    with httpx2.Client(base_url=server_url, timeout=30, follow_redirects=False) as client:
        login = client.get("/login")
        signed_in = client.post(
            "/login", data={"email": agent.email, "password": PASSWORD, "csrf_token": csrf_in(login)}
        )
        assert signed_in.status_code == 303, signed_in.text
        csrf = csrf_in(client.get(f"/cases/{case.id}"))
        for round_ in range(ROUNDS):
            answer = client.post(
                f"/cases/{case.id}/notes", data={"note": f"note {round_}", "csrf_token": csrf}
            )
            assert answer.status_code == 303, answer.text
            with Session(observer) as check:
                notes = check.scalar(
                    select(func.count())
                    .select_from(Event)
                    .where(
                        Event.kind == "case.note_added",
                        Event.subject_type == "case",
                        Event.subject_id == case.id,
                    )
                )
            if notes != round_ + 1:
                missing.append(round_)

    assert missing == [], f"{len(missing)} of {ROUNDS} notes were missing right after the redirect"


def csrf_in(page: httpx2.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {page.url}"
    return found.group(1)
