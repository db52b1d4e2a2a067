"""`ombuds serve` sends each scheduled brand's digest once a week, at the day and hour of the
brand's own time zone, to a real SMTP server on loopback; two runners still send it once. The
digest's week is the brand's, Monday to Monday local time, across a clock change too; a server
that is down or refuses is tried again after growing waits, not every round."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.actions import set_case_status
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus
from ombuds.cli.main import app
from ombuds.clock import as_utc
from ombuds.metrics.digest import render_text, weekly_digest
from ombuds.metrics.models import DigestSchedule
from ombuds.metrics.scheduling import send_due_digests, set_digest_schedule
from ombuds.routing.queries import get_sla_config
from ombuds.routing.sla_actions import set_sla_policy
from ombuds.routing.sla_config import Escalation
from ombuds.settings import Settings, get_settings
from tests.integration.test_metrics_digest import Mailbox, mailbox  # noqa: F401 (the SMTP fixture)
from tests.integration.test_surveys_and_outcomes import write
from tests.support.ports import refused_port
from tests.support.smtp_server import SmtpCatcher

#: New York is UTC-5 in December: Monday 08:00 there is 13:00 UTC
THURSDAY = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
MONDAY_7_AM_IN_NEW_YORK = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
MONDAY_8_AM_IN_NEW_YORK = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
NEXT_MONDAY_9_AM_IN_NEW_YORK = datetime(2026, 12, 14, 14, 0, tzinfo=UTC)


def _in_new_york(session: Session, brand: Brand) -> User:
    """The brand's business hours, and so its weeks, are New York's; its manager reads the digest."""
    manager = accounts.create_user(session, email="morgan@skyways.example", name="Morgan", password="x" * 12)
    accounts.add_membership(session, user=manager, brand=brand, role=Role.MANAGER)
    set_sla_policy(
        session,
        brand_id=brand.id,
        config=dataclasses.replace(get_sla_config(session, brand.id)[0], timezone="America/New_York"),
        escalation=Escalation(),
        actor=Actor(manager),
    )
    session.commit()
    return manager


def _sends(factory: sessionmaker[Session], at: datetime) -> list[int]:
    with time_machine.travel(at, tick=False):
        return send_due_digests(factory, settings=get_settings())


def test_the_digest_goes_out_on_monday_morning_in_the_brand_s_time_zone_once_a_week(
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    mailbox: Mailbox,  # noqa: F811 (the fixture imported above)
) -> None:
    _in_new_york(session, brand)
    with time_machine.travel(THURSDAY, tick=False):
        scheduled = CliRunner().invoke(app, ["digest", "schedule", "--brand", "skyways"])
    assert scheduled.exit_code == 0, scheduled.output
    assert "every Monday at 08:00 America/New_York time to the brand's admins and managers" in " ".join(
        scheduled.output.split()
    )

    assert _sends(session_factory, THURSDAY) == [], "scheduled mid-week: it waits for Monday"
    assert _sends(session_factory, MONDAY_7_AM_IN_NEW_YORK) == [], "08:00 UTC is not 08:00 in New York"
    assert mailbox.messages == []

    # two runners reach the hour together: one sends, the other finds the week taken
    results: list[list[int]] = []
    runners = [
        threading.Thread(target=lambda: results.append(_sends(session_factory, MONDAY_8_AM_IN_NEW_YORK)))
        for _ in range(2)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert sorted(results) == [[], [brand.id]]
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["To"] == "morgan@skyways.example"
    assert "Skyways" in mailbox.messages[0]["Subject"]

    assert _sends(session_factory, TUESDAY) == [], "once a week"
    assert _sends(session_factory, NEXT_MONDAY_9_AM_IN_NEW_YORK) == [brand.id]
    assert len(mailbox.messages) == 2


def _resolved(session: Session, brand: Brand, *, handle: str, written: datetime, resolved: datetime) -> None:
    mention = write(session, brand, text="Where is my bag?", at=written, handle=handle)
    case = session.get(Case, mention.case_id)
    assert case is not None
    set_case_status(session, case=case, status=CaseStatus.RESOLVED, at=resolved)
    session.commit()


def test_the_digest_s_week_is_the_brand_s_monday_to_monday_across_the_clock_change(
    session: Session, brand: Brand
) -> None:
    _in_new_york(session, brand)
    # New York's clocks go back on Sunday 1 November 2026: the week of Monday 26 October has 169 hours,
    # from 04:00 UTC (midnight EDT) to 05:00 UTC (midnight EST) the next Monday
    _resolved(  # Sunday 25 October, 21:00 and 22:00 EDT: the week before, though Monday in UTC
        session,
        brand,
        handle="ana",
        written=datetime(2026, 10, 26, 1, 0, tzinfo=UTC),
        resolved=datetime(2026, 10, 26, 2, 0, tzinfo=UTC),
    )
    _resolved(  # Sunday 1 November, 20:00 and 23:30 EST: this week, though Monday in UTC
        session,
        brand,
        handle="ben",
        written=datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        resolved=datetime(2026, 11, 2, 4, 30, tzinfo=UTC),
    )

    digest = weekly_digest(session, brand=brand, now=datetime(2026, 11, 2, 13, 0, tzinfo=UTC))
    assert (digest.start, digest.end) == (
        datetime(2026, 10, 26, 4, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 5, 0, tzinfo=UTC),
    )
    assert (digest.outcomes.cases_opened, digest.outcomes.cases_resolved) == (1, 1), "Ben's, late on Sunday"
    assert (digest.previous.cases_opened, digest.previous.cases_resolved) == (1, 1), "Ana's, the week before"
    assert digest.subject == "Skyways: the week of Monday 26 Oct to Sunday 01 Nov 2026 in customer care"
    text = render_text(digest, dashboard_url="https://ombuds.example/dashboard")
    assert "Monday 26 Oct 2026 00:00 to Monday 02 Nov 2026 00:00, America/New_York time (169 hours)" in text
    assert "Cases resolved (context): 1 (the week before: 1)" in text


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port nothing listens on (the SMTP server is down), held so nothing else can take it."""
    with refused_port() as port:
        yield port


def test_a_refused_digest_is_tried_again_after_growing_waits_and_the_week_is_sent_once(
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    closed_port: int,
) -> None:
    _in_new_york(session, brand)
    with time_machine.travel(THURSDAY, tick=False):
        set_digest_schedule(session, brand=brand, weekday=0, hour=8, recipients=["ceo@skyways.example"])
    session.commit()
    caplog.set_level(logging.WARNING, logger="ombuds.metrics.scheduling")

    def schedule() -> DigestSchedule:
        session.expire_all()
        found = session.get(DigestSchedule, brand.id)
        assert found is not None
        return found

    def attempts_logged() -> int:
        return sum("could not be sent" in r.getMessage() for r in caplog.records)

    with SmtpCatcher(username="digest", password="s3cret-smtp") as server:
        up = Settings(
            data_dir=tmp_path,
            alerts_smtp_host="127.0.0.1",
            alerts_smtp_port=server.port,
            alerts_smtp_username="digest",
            alerts_smtp_password="s3cret-smtp",
            alerts_public_url="https://ombuds.example",
        )
        down = up.model_copy(update={"alerts_smtp_port": closed_port})

        def round_at(at: datetime, settings: Settings = up) -> list[int]:
            # the jitter drawn at its longest, so the waits are exactly 1, 2, 4 … minutes
            return send_due_digests(session_factory, settings=settings, now=at, rng=lambda: 1.0)

        first = MONDAY_8_AM_IN_NEW_YORK
        assert round_at(first, down) == []
        failed = schedule()
        assert failed.failures == 1
        assert failed.last_error == (
            f"the SMTP server 127.0.0.1:{closed_port} could not be reached: "
            "ConnectionRefusedError: [Errno 111] Connection refused"
        )
        assert failed.next_attempt_at is not None
        assert as_utc(failed.next_attempt_at) == first + timedelta(minutes=1)
        # the runner's rounds come seconds apart: none of them knocks before the minute is up
        for seconds in (1, 5, 30, 59):
            assert round_at(first + timedelta(seconds=seconds), down) == []
        assert schedule().failures == 1
        assert attempts_logged() == 1, "one line in the log per attempt, not per round"

        server.refusing = "451 4.3.0 Mail system temporarily unavailable"
        second = first + timedelta(minutes=1)
        assert round_at(second) == []
        refused = schedule()
        assert refused.failures == 2
        assert refused.last_error == (
            f"the SMTP server 127.0.0.1:{server.port} refused it: 451 4.3.0 Mail system temporarily unavailable"
        )
        assert refused.next_attempt_at is not None
        assert as_utc(refused.next_attempt_at) == second + timedelta(minutes=2), "the wait doubles"
        assert round_at(second + timedelta(seconds=119)) == []
        assert (server.refused, attempts_logged()) == (1, 2)

        server.refusing = None
        third = second + timedelta(minutes=2)
        assert round_at(third) == [brand.id]
        sent = server.received()
        assert len(sent) == 1
        assert sent[0]["To"] == "ceo@skyways.example"
        assert "the week of Monday 30 Nov to Sunday 06 Dec 2026" in sent[0]["Subject"]
        cleared = schedule()
        assert (cleared.failures, cleared.last_error, cleared.next_attempt_at) == (0, None, None)
        assert cleared.last_week == date(2026, 12, 7)
        assert round_at(third + timedelta(hours=1)) == []
        assert len(server.received()) == 1, "the week is sent once"
