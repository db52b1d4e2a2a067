"""SLA policies per brand: deadlines in business hours, clocks that pause while the case waits on
the customer, and one escalation per breach. The runner's clock is injected (``now=``), and the
status changes are made with their time (``at=``) through the one status writer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team
from ombuds.cases.actions import set_case_status
from ombuds.cases.models import Case, CaseStatus, Priority
from ombuds.db import transaction
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.models import SlaPolicySetting
from ombuds.routing.queries import get_sla_policy
from ombuds.routing.sla_actions import run_sla_round
from tests.integration.test_resolutions_api import token_for


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026, when London keeps UTC: office hours read the same in both."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


OFFICE_POLICY: dict[str, Any] = {
    "timezone": "Europe/London",
    "hours": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-08"],  # a Tuesday
    "targets": {
        "first_response": {"urgent": 60, "high": 120, "normal": 240, "low": 480},
        "resolution": {"urgent": 480, "high": 720, "normal": 960, "low": 2400},
    },
    "near_breach_percent": 80,
    "raise_priority_on_breach": True,
    "notify_managers_on_breach": True,
}


@pytest.fixture
def people(session: Session, brand: Brand) -> dict[str, dict[str, str]]:
    return {
        role.value: token_for(session, brand, f"{role.value}@skyways.test", role)
        for role in (Role.AGENT, Role.MANAGER, Role.VIEWER)
    }


@pytest.fixture
def duty_team(session: Session, brand: Brand) -> Team:
    team = accounts.create_team(session, brand=brand, slug="duty", name="Duty managers")
    session.commit()
    return team


def ingest_question(factory: sessionmaker[Session], brand: Brand, *, created_at: datetime) -> Case:
    created = MentionCreate(
        external_id="q1",
        author="mara",
        text="@Skyways hello, can I change the name on my booking for next month?",
        created_at=created_at,
        channel="x",
    )
    incoming = IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=[incoming])
    assert run_until_idle(factory).failed == 0
    with factory() as session:
        case = session.query(Case).one()
        session.expunge(case)
        return case


def set_status(factory: sessionmaker[Session], case: Case, status: CaseStatus, when: datetime) -> None:
    with transaction(factory) as session:
        row = session.get(Case, case.id)
        assert row is not None
        set_case_status(session, case=row, status=status, at=when)


def read_case(client: TestClient, case: Case, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_managers_set_the_sla_policy_and_others_read_it(
    client: TestClient, people: dict[str, dict[str, str]], duty_team: Team
) -> None:
    default = client.get("/api/v1/sla-policy", headers=people["viewer"])
    assert default.status_code == 200, default.text
    assert default.json()["targets"]["first_response"]["normal"] == 240  # today's targets
    assert default.json()["hours"]["sun"] == ["00:00-24:00"]  # round the clock until a brand sets hours

    refused = client.put("/api/v1/sla-policy", json=OFFICE_POLICY, headers=people["agent"])
    assert refused.status_code == 403, refused.text
    assert "managers and admins" in refused.json()["detail"]

    bad_zone = client.put(
        "/api/v1/sla-policy", json=OFFICE_POLICY | {"timezone": "Europe/Atlantis"}, headers=people["manager"]
    )
    assert bad_zone.status_code == 422
    assert "Europe/Atlantis" in bad_zone.text
    overlapping = client.put(
        "/api/v1/sla-policy",
        json=OFFICE_POLICY | {"hours": {"mon": ["09:00-13:00", "12:00-17:00"]}},
        headers=people["manager"],
    )
    assert overlapping.status_code == 422
    assert "hours.mon" in overlapping.text
    missing = client.put(
        "/api/v1/sla-policy",
        json=OFFICE_POLICY | {"targets": {"first_response": {"normal": 60}, "resolution": {"normal": 60}}},
        headers=people["manager"],
    )
    assert missing.status_code == 422
    assert "missing urgent, high, low" in missing.text
    foreign_team = client.put(
        "/api/v1/sla-policy", json=OFFICE_POLICY | {"move_to_team_id": 999_999}, headers=people["manager"]
    )
    assert foreign_team.status_code == 422
    assert "move_to_team_id" in foreign_team.text
    # a target no clock can reach was accepted, and then every new mention failed routing
    centuries = {"urgent": 60, "high": 120, "normal": 240, "low": 5_000_000_000}
    too_long = client.put(
        "/api/v1/sla-policy",
        json=OFFICE_POLICY | {"targets": OFFICE_POLICY["targets"] | {"resolution": centuries}},
        headers=people["manager"],
    )
    assert too_long.status_code == 422
    assert "targets.resolution.low: at most 525,600 minutes" in too_long.text
    a_minute_a_week = client.put(
        "/api/v1/sla-policy",
        json=OFFICE_POLICY | {"hours": {"mon": ["09:00-09:01"]}},
        headers=people["manager"],
    )
    assert a_minute_a_week.status_code == 422
    assert "take more than 10 years at 1 open minutes a week" in a_minute_a_week.text
    huge_team = client.put(
        "/api/v1/sla-policy", json=OFFICE_POLICY | {"move_to_team_id": 2**63}, headers=people["manager"]
    )
    assert huge_team.status_code == 422
    assert "move_to_team_id" in huge_team.text

    saved = client.put(
        "/api/v1/sla-policy",
        json=OFFICE_POLICY | {"move_to_team_id": duty_team.id},
        headers=people["manager"],
    )
    assert saved.status_code == 200, saved.text
    read = client.get("/api/v1/sla-policy", headers=people["agent"]).json()
    assert read["timezone"] == "Europe/London"
    assert read["holidays"] == ["2026-12-08"]
    assert read["hours"] == OFFICE_POLICY["hours"]
    assert read["move_to_team_id"] == duty_team.id
    assert client.get("/api/v1/sla-policy?brand=someone-else", headers=people["agent"]).status_code == 404


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "Europe/Lon\x07don"])
def test_a_policy_in_a_zone_that_is_not_an_iana_region_is_refused_naming_timezone(
    client: TestClient, people: dict[str, dict[str, str]], zone: str
) -> None:
    # zoneinfo loads "localtime" (the server's own clock) and the others: deadlines would move with it.
    refused = client.put(
        "/api/v1/sla-policy", json=OFFICE_POLICY | {"timezone": zone}, headers=people["manager"]
    )

    assert refused.status_code == 422, refused.text
    assert "timezone: " in refused.text
    assert "is not an IANA time zone such as Europe/London" in refused.text
    assert client.get("/api/v1/sla-policy", headers=people["agent"]).json()["timezone"] == "UTC"


def test_a_policy_saved_in_factory_time_before_it_was_refused_still_gives_deadlines(
    session: Session, brand: Brand
) -> None:
    session.add(
        SlaPolicySetting(
            brand_id=brand.id,
            timezone="Factory",  # a name zoneinfo loads; refused for new policies
            hours=OFFICE_POLICY["hours"],
            targets=OFFICE_POLICY["targets"],
        )
    )
    session.flush()

    policy = get_sla_policy(session, brand.id)

    assert policy.hours.timezone == "Factory"
    assert policy.first_response[Priority.URGENT] == timedelta(minutes=60)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "targets": OFFICE_POLICY["targets"]
                | {"first_response": {"urgent": True, "high": 120, "normal": 240, "low": 480}}
            },
            "urgent",
        ),
        ({"channel_targets": {"email": {"resolution": {"low": True}}}}, "low"),
        ({"near_breach_percent": True}, "near_breach_percent"),
    ],
    ids=["target", "channel-target", "near-breach"],
)
def test_true_is_no_number_of_minutes_or_percent(
    client: TestClient, people: dict[str, dict[str, str]], change: dict[str, Any], field: str
) -> None:
    # pydantic reads JSON true as 1 for an int: a one-minute target nobody meant.
    refused = client.put("/api/v1/sla-policy", json=OFFICE_POLICY | change, headers=people["manager"])

    assert refused.status_code == 422, refused.text
    assert field in refused.text
    assert "not true or false" in refused.text
    assert client.get("/api/v1/sla-policy", headers=people["agent"]).json()["timezone"] == "UTC"


def test_sla_clocks_pause_while_pending_count_business_hours_only_and_a_breach_escalates_once(
    client: TestClient,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    people: dict[str, dict[str, str]],
    duty_team: Team,
) -> None:
    manager = people["manager"]
    answer = client.put(
        "/api/v1/sla-policy", json=OFFICE_POLICY | {"move_to_team_id": duty_team.id}, headers=manager
    )
    assert answer.status_code == 200, answer.text

    # Friday 15:00: two office hours left on Friday, the rest from Monday morning
    case = ingest_question(session_factory, brand, created_at=at(4, 15))
    opened = read_case(client, case, people["agent"])
    assert opened["priority"] == 3
    assert opened["team_id"] == team.id
    assert moment(opened["first_response_due_at"]) == at(7, 11)  # 4 h: Fri 2 h + Mon 2 h, not Friday 19:00
    # 16 h: Fri 2 h, Mon 8 h, Tuesday is a holiday, Wed 6 h
    assert moment(opened["resolve_due_at"]) == at(9, 15)

    # Monday 10:00 the agent asks the customer something: pending, with 1 h of first response left
    set_status(session_factory, case, CaseStatus.PENDING, at(7, 10))
    assert run_sla_round(session_factory, now=at(7, 10, 1)).paused == [case.id]
    # past the old deadline, but the clock is paused: nothing escalates
    assert run_sla_round(session_factory, now=at(7, 15)).escalated == []

    # the customer answers on Thursday 16:00: the hour left runs to 17:00; the resolution had 13 h
    # left (Mon 7 h, Wed 6 h) which now run Thu 1 h, Fri 8 h, then Monday 09:00–13:00
    set_status(session_factory, case, CaseStatus.OPEN, at(10, 16))
    assert run_sla_round(session_factory, now=at(10, 16, 5)).resumed == [case.id]
    resumed = read_case(client, case, people["agent"])
    assert moment(resumed["first_response_due_at"]) == at(10, 17)
    assert moment(resumed["resolve_due_at"]) == at(14, 13)
    assert run_sla_round(session_factory, now=at(10, 16, 30)).resumed == []  # moved once

    # Friday morning nobody has answered: the first response is breached and escalates once
    first = run_sla_round(session_factory, now=at(11, 9, 5))
    assert first.escalated == [case.id]
    escalated = read_case(client, case, people["agent"])
    assert escalated["priority"] == 2  # normal → high
    assert escalated["team_id"] == duty_team.id
    assert run_sla_round(session_factory, now=at(11, 9, 10)).escalated == []
    assert run_sla_round(session_factory, now=at(11, 12)).escalated == []
    assert read_case(client, case, people["agent"])["priority"] == 2  # not raised again

    events = client.get(f"/api/v1/cases/{case.id}/events", headers=people["agent"]).json()
    breaches = [e for e in events if e["kind"] == "case.sla_escalated"]
    assert len(breaches) == 1
    assert breaches[0]["summary"] == (
        "SLA breached (first response due Thu 10 Dec 2026 17:00 UTC): escalated · priority Normal → High"
        " · moved to Duty managers · told Manager"
    )
    assert any(e["summary"].startswith("SLA clock resumed after waiting on the customer") for e in events)
