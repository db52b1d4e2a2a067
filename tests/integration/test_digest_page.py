"""The weekly digest's page in administration: a manager sets the day and hour in the brand's own
time zone and who gets it, sends one now through the real SMTP path (and reads plainly when the
server refuses), and sees how the scheduled sends went; bad input is named, another brand's
schedule stays out of sight and untouched. Agents and viewers are refused with the other admin pages
(test_admin_pages.py)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role
from ombuds.clock import utcnow
from ombuds.events import Event
from ombuds.metrics.models import DigestSchedule
from ombuds.metrics.schedule import local_monday
from ombuds.metrics.scheduling import send_due_digests, set_digest_schedule
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.integration.test_admin_pages import _person, signed_in
from tests.integration.test_digest_schedule import _in_new_york
from tests.support.smtp_server import SmtpCatcher

NEW_YORK = ZoneInfo("America/New_York")
REFUSAL = "451 4.3.0 Mail system temporarily unavailable"


@pytest.fixture
def server() -> Iterator[SmtpCatcher]:
    with SmtpCatcher(username="digest", password="s3cret-smtp") as catcher:
        yield catcher


@pytest.fixture
def settings(server: SmtpCatcher, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        alerts_smtp_host="127.0.0.1",
        alerts_smtp_port=server.port,
        alerts_smtp_username="digest",
        alerts_smtp_password="s3cret-smtp",
        alerts_public_url="https://ombuds.example",
    )


@pytest.fixture
def app_client(session_factory: sessionmaker[Session], settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings=settings, session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def _flash(client: TestClient) -> str:
    return html.unescape(client.get("/admin/digest").text)


def test_a_manager_schedules_the_digest_in_the_brand_s_hours_and_sends_one_now(
    app_client: TestClient,
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    server: SmtpCatcher,
    settings: Settings,
) -> None:
    _in_new_york(session, brand)
    rival = actions.create_brand(session, slug="rival", name="Rival Air")
    set_digest_schedule(session, brand=rival, weekday=2, hour=6, recipients=["rita@rival.test"])
    session.commit()
    manager = _person(session, brand, "max@skyways.test", Role.MANAGER)
    csrf = signed_in(app_client, manager.email)
    page = app_client.get("/admin/digest")
    assert page.status_code == 200
    assert "Not scheduled" in page.text, "another brand's schedule is not this one's"
    assert "rita@rival.test" not in page.text
    assert "Hour, New York time" in page.text

    saved = app_client.post(
        "/admin/digest",
        data={
            "csrf_token": csrf,
            "day": "friday",
            "hour": "17",
            "recipients": "ceo@skyways.example\r\ncfo@skyways.example",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = _flash(app_client)
    assert (
        "The digest goes out every Friday at 17:00 New York time to ceo@skyways.example, "
        "cfo@skyways.example." in shown
    )
    assert "<dt>Sent</dt><dd>every Friday at 17:00 New York time</dd>" in shown
    schedule = session.get(DigestSchedule, brand.id)
    assert schedule is not None
    assert (schedule.weekday, schedule.hour, schedule.recipients) == (
        4,
        17,
        ["ceo@skyways.example", "cfo@skyways.example"],
    )
    assert (
        session.scalar(
            select(Event.actor_id).where(Event.kind == "digest.scheduled", Event.brand_id == brand.id)
        )
        == manager.id
    )

    for field, value, words in (
        (
            "recipients",
            "ceo@skyways.example, cfo-at-skyways",
            "recipients: 'cfo-at-skyways' is not an email address",
        ),
        ("day", "someday", "day: one of monday"),
        ("hour", "24", "hour: a whole hour from 0 to 23"),
    ):
        form = {"csrf_token": csrf, "day": "monday", "hour": "8", "recipients": ""} | {field: value}
        refused = app_client.post("/admin/digest", data=form)
        assert refused.status_code == 422, field
        assert words in html.unescape(refused.text), field
    session.refresh(schedule)
    assert schedule.weekday == 4, "nothing saved from a refused form"

    # send now, to one address: the server refuses, then takes it
    server.refusing = REFUSAL
    tried = app_client.post("/admin/digest/send", data={"csrf_token": csrf, "to": "max@skyways.test"})
    assert tried.status_code == 303
    assert (
        f"The digest was not sent to max@skyways.test: the SMTP server 127.0.0.1:{server.port} refused it: "
        f"{REFUSAL}." in _flash(app_client)
    )
    server.refusing = None
    sent = app_client.post("/admin/digest/send", data={"csrf_token": csrf, "to": "max@skyways.test"})
    assert sent.status_code == 303
    assert "went out to max@skyways.test" in _flash(app_client)
    assert [m["To"] for m in server.received()] == ["max@skyways.test"]
    assert "Skyways: the week of Monday" in server.received()[0]["Subject"]
    assert app_client.post("/admin/digest/send", data={"csrf_token": csrf, "to": "max"}).status_code == 422

    # the schedule's own send on Friday 17:00 next week, New York time, refused: the page says when it tries again
    friday = local_monday(utcnow() + timedelta(days=7), timezone="America/New_York") + timedelta(days=4)
    due = datetime.combine(friday, time(17), tzinfo=NEW_YORK)
    server.refusing = REFUSAL
    assert send_due_digests(session_factory, settings=settings, now=due, rng=lambda: 1.0) == []
    status = _flash(app_client)
    assert f"refused it: {REFUSAL} (1 failed attempt in a row" in status
    assert f"{due + timedelta(minutes=1):%a %d %b %Y %H:%M} (America/New_York)" in status
    assert app_client.post("/admin/digest/stop", data={"csrf_token": csrf}).status_code == 303
    session.expire_all()
    assert session.get(DigestSchedule, brand.id) is None
    theirs = session.get(DigestSchedule, rival.id)
    assert theirs is not None, "stopping ours leaves another brand's alone"
    assert theirs.recipients == ["rita@rival.test"]


def test_a_schedule_saved_after_this_week_s_hour_says_nothing_was_sent_yet(
    app_client: TestClient, session: Session, brand: Brand
) -> None:
    # Monday 00:00 has always passed this week: the schedule starts with next week's send
    set_digest_schedule(session, brand=brand, weekday=0, hour=0, recipients=[])
    session.commit()
    manager = _person(session, brand, "max@skyways.test", Role.MANAGER)
    signed_in(app_client, manager.email)
    shown = app_client.get("/admin/digest").text
    assert '<dd data-testid="digest-last-sent">not yet</dd>' in shown
