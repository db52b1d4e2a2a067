"""A brand's figures count its own days: a desk in New York closes Thursday's case on Thursday,
even when it is already Friday in UTC. The dashboard, its charts, the outcomes API and search's
dates all cut days at the brand's midnight (its SLA policy's time zone)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.cases.models import CaseStatus
from ombuds.clock import utcnow
from ombuds.routing.models import SlaPolicySetting
from ombuds.routing.sla_config import DEFAULT_CONFIG
from tests.integration.test_metrics_outcomes import Desk
from tests.integration.test_web_cases import PASSWORD, sign_in

THURSDAY = {"from": "2026-11-05", "to": "2026-11-05"}
FRIDAY = {"from": "2026-11-06", "to": "2026-11-06"}


def test_a_new_york_desk_counts_its_own_days(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    session.add(
        SlaPolicySetting(
            brand_id=brand.id,
            timezone="America/New_York",  # UTC-5 in November
            hours={},
            holidays=[],
            targets={k: dict(v) for k, v in DEFAULT_CONFIG.targets.items()},
            channel_targets={},
            near_breach_percent=80,
        )
    )
    manager = accounts.create_user(session, email="max@skyways.test", name="Max Manager", password=PASSWORD)
    accounts.add_membership(session, user=manager, brand=brand, role=Role.MANAGER)
    _, secret = accounts.create_api_token(session, brand=brand, name="metrics")
    session.commit()
    bearer = httpx2.Headers({"Authorization": f"Bearer {secret}"})
    desk = Desk(session, session_factory, brand)
    # Thursday evening in New York, after 19:00: already Friday in UTC
    late = desk.complaint("lou", "2026-11-06T03:00")  # 22:00 on Thursday there
    desk.status(late, CaseStatus.RESOLVED, "2026-11-06T04:30")  # 23:30 on Thursday
    # Friday morning there
    early = desk.complaint("flo", "2026-11-06T15:00")
    desk.status(early, CaseStatus.RESOLVED, "2026-11-06T16:00")

    def outcomes(period: dict[str, str]) -> dict[str, int]:
        found = client.get("/api/v1/metrics/outcomes", params=period, headers=bearer)
        assert found.status_code == 200, found.text
        return {key: found.json()[key] for key in ("cases_resolved", "cases_opened")}

    assert outcomes(THURSDAY) == {"cases_resolved": 1, "cases_opened": 1}
    assert outcomes(FRIDAY) == {"cases_resolved": 1, "cases_opened": 1}
    # a moment with an offset is that moment wherever the brand is: UTC's Friday holds both
    assert outcomes({"from": "2026-11-06T00:00Z", "to": "2026-11-07T00:00Z"})["cases_resolved"] == 2

    sign_in(client, manager.email)
    page = client.get("/dashboard", params={"from": "2026-11-05", "to": "2026-11-06"})
    assert page.status_code == 200
    assert "Thu 05 Nov 2026 to Fri 06 Nov 2026 (New York days)" in page.text
    # one bar a day, named by the brand's day, each holding that day's resolved case
    assert "<title>05 Nov: 1</title>" in page.text
    assert "<title>06 Nov: 1</title>" in page.text
    thursday = client.get("/dashboard", params=THURSDAY)
    tile = re.search(
        r'data-tile="cases-resolved".*?<strong class="metric-value">(.*?)</strong>', thursday.text, re.S
    )
    assert tile is not None
    assert tile.group(1) == "1"
    # the tile's cases are Thursday's there, and the list says when that was on the brand's clock
    listed = client.get("/dashboard/cases", params={"figure": "resolved", **THURSDAY})
    assert f"/cases/{late.id}" in listed.text
    assert f"/cases/{early.id}" not in listed.text
    assert "Thu 05 Nov 2026 00:00 EST to Thu 05 Nov 2026 23:59 EST" in listed.text

    # search's dates are the brand's days too: Thursday's message, not Friday's
    found = client.get("/api/v1/search", params={"q": "bag date:2026-11-05"}, headers=bearer)
    assert found.status_code == 200, found.text
    assert {hit["case_id"] for hit in found.json()["results"] if hit["kind"] != "customer"} == {late.id}


def test_the_debt_of_a_period_not_over_yet_is_the_debt_now(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    """A complaint open for seven days weighs twice a new one; a period that ends tonight, or in
    2999, must not weigh it as if it had waited until then."""
    _, secret = accounts.create_api_token(session, brand=brand, name="metrics")
    session.commit()
    bearer = httpx2.Headers({"Authorization": f"Bearer {secret}"})
    week_ago = utcnow() - timedelta(days=7)
    Desk(session, session_factory, brand).complaint("amy", week_ago.strftime("%Y-%m-%dT%H:%M:%S"))
    today = utcnow().date().isoformat()
    for end in (today, "2999-12-31"):
        found = client.get(
            "/api/v1/metrics/experience-debt", params={"from": today, "to": end}, headers=bearer
        )
        assert found.status_code == 200, found.text
        assert found.json()["unresolved_negative"] == pytest.approx(2.0, abs=0.01), end
        assert [case["weight"] for case in found.json()["pay_down"]] == [pytest.approx(2.0, abs=0.01)]
