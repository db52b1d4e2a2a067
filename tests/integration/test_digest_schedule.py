"""`ombuds serve` sends each scheduled brand's digest once a week, at the day and hour of the
brand's own time zone, to a real SMTP server on loopback; two runners still send it once."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import time_machine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.cases.lifecycle import Actor
from ombuds.cli.main import app
from ombuds.metrics.scheduling import send_due_digests
from ombuds.routing.queries import get_sla_config
from ombuds.routing.sla_actions import set_sla_policy
from ombuds.routing.sla_config import Escalation
from ombuds.settings import get_settings
from tests.integration.test_metrics_digest import Mailbox, mailbox  # noqa: F401 (the SMTP fixture)

#: New York is UTC-5 in December: Monday 08:00 there is 13:00 UTC
THURSDAY = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
MONDAY_7_AM_IN_NEW_YORK = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
MONDAY_8_AM_IN_NEW_YORK = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
NEXT_MONDAY_9_AM_IN_NEW_YORK = datetime(2026, 12, 14, 14, 0, tzinfo=UTC)


def _sends(factory: sessionmaker[Session], at: datetime) -> list[int]:
    with time_machine.travel(at, tick=False):
        return send_due_digests(factory, settings=get_settings())


def test_the_digest_goes_out_on_monday_morning_in_the_brand_s_time_zone_once_a_week(
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    mailbox: Mailbox,  # noqa: F811 (the fixture imported above)
) -> None:
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
    with time_machine.travel(THURSDAY, tick=False):
        scheduled = CliRunner().invoke(app, ["digest", "schedule", "--brand", "skyways"])
    assert scheduled.exit_code == 0, scheduled.output
    assert "every Monday at 08:00 to the brand's admins and managers" in " ".join(scheduled.output.split())

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
