"""A case's first-response and resolution durations in business time: the brand's hours in its time
zone, its holidays, and no clock while the case waits pending; shown by the API and on the case page.

The story runs across the end of daylight-saving time in New York (Sunday 1 November 2026) and a
holiday, so a count in UTC, or one that forgot the holiday or the pending wait, gives other numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, User
from ombuds.cases.actions import set_case_status
from ombuds.cases.models import Case, CaseStatus
from ombuds.mentions.models import Direction
from ombuds.routing.duration_actions import record_business_durations
from ombuds.routing.models import SlaPolicySetting
from ombuds.routing.sla_config import DEFAULT_CONFIG
from tests.integration.test_surveys_and_outcomes import write
from tests.integration.test_web_cases import sign_in

NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600


def local(text: str) -> datetime:
    """A wall-clock time in New York, as the desk's managers read it."""
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


@pytest.fixture
def bearer(session: Session, brand: Brand) -> httpx2.Headers:
    _, secret = accounts.create_api_token(session, brand=brand, name="checks")
    session.commit()
    return httpx2.Headers({"Authorization": f"Bearer {secret}"})


@pytest.fixture
def office_hours(session: Session, brand: Brand) -> None:
    """Weekdays 09:00–17:00 in New York; Tuesday 3 November 2026 is a holiday."""
    session.add(
        SlaPolicySetting(
            brand_id=brand.id,
            timezone="America/New_York",
            hours={day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
            holidays=["2026-11-03"],
            targets={k: dict(v) for k, v in DEFAULT_CONFIG.targets.items()},
            channel_targets={},
            near_breach_percent=80,
        )
    )
    session.commit()


def durations(client: TestClient, case: Case, headers: httpx2.Headers) -> tuple[int | None, int | None]:
    found = client.get(f"/api/v1/cases/{case.id}", headers=headers).json()
    return found["first_response_business_seconds"], found["resolution_business_seconds"]


def test_business_durations_count_open_hours_across_dst_and_a_holiday_and_skip_the_pending_wait(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    bearer: httpx2.Headers,
    office_hours: None,
) -> None:
    # Friday 16:00 EDT the customer writes; the answer comes Monday 10:00 EST, after the clocks
    # went back: one business hour on Friday and one on Monday (UTC would count 67 hours).
    asked = write(session, brand, text="My refund for flight SK88 never came", at=local("2026-10-30T16:00"))
    write(
        session,
        brand,
        text="Sorry! We are checking with the bank",
        at=local("2026-11-02T10:00"),
        direction=Direction.OUTBOUND,
        in_reply_to=asked.external_id,
    )
    case = session.get(Case, asked.case_id)
    assert case is not None
    # Pending on the bank from Monday 11:00 to Wednesday 10:00, then resolved on Wednesday at 12:00.
    set_case_status(session, case=case, status=CaseStatus.PENDING, at=local("2026-11-02T11:00"))
    set_case_status(session, case=case, status=CaseStatus.OPEN, at=local("2026-11-04T10:00"))
    set_case_status(session, case=case, status=CaseStatus.RESOLVED, at=local("2026-11-04T12:00"))
    session.commit()
    assert durations(client, case, bearer) == (None, None), "not timed before the runner's round"

    assert record_business_durations(session_factory).timed == [case.id]
    assert record_business_durations(session_factory).timed == [], "timed once"

    # Friday 16–17, Monday 09–11 (then pending; Tuesday is a holiday anyway), Wednesday 10–12.
    assert durations(client, case, bearer) == (2 * HOUR, 5 * HOUR)
    sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}")
    assert "First response in 2 h of business time · resolved in 5 h" in page.text

    # Reopened on Thursday at 09:00 and resolved again at 10:30: the resolved night is not worked time.
    session.refresh(case)  # as a request would load it, with the runner's numbers
    set_case_status(session, case=case, status=CaseStatus.OPEN, at=local("2026-11-05T09:00"))
    session.commit()
    assert durations(client, case, bearer) == (2 * HOUR, None)
    set_case_status(session, case=case, status=CaseStatus.RESOLVED, at=local("2026-11-05T10:30"))
    session.commit()
    record_business_durations(session_factory)
    assert durations(client, case, bearer) == (2 * HOUR, 5 * HOUR + HOUR + HOUR // 2)


def test_a_brand_without_a_policy_counts_round_the_clock(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    bearer: httpx2.Headers,
) -> None:
    start = datetime(2026, 11, 20, 8, 0, tzinfo=ZoneInfo("UTC"))
    asked = write(session, brand, text="Where is my bag?", at=start)
    write(
        session,
        brand,
        text="Found it",
        at=start + timedelta(minutes=45),
        direction=Direction.OUTBOUND,
        in_reply_to=asked.external_id,
    )
    case = session.get(Case, asked.case_id)
    assert case is not None
    record_business_durations(session_factory)
    assert durations(client, case, bearer) == (45 * 60, None)
