"""Pages show every moment in the brand's time zone, in one form: an agent in New York reads
"09:21 EST" for a message that came at 14:21 UTC, and a fix expected on the 4th in Sydney is the
4th there, whatever the day is in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import CaseStatus
from ombuds.clock import as_utc
from ombuds.event_payloads import CaseFollowUpSet
from ombuds.events import record_event
from ombuds.problems import actions as problems
from ombuds.problems.models import Problem
from ombuds.promises.models import Promise
from ombuds.responses.wording.models import TalkingPoint
from tests.integration.test_resolutions_api import token_for
from tests.integration.test_task_due_dates import business_hours_in, csrf
from tests.integration.test_web_cases import PASSWORD, add_case, sign_in


def _opened_label(page: str) -> str:
    found = re.search(r"<dt>Opened</dt><dd><time [^>]*>([^<]+)</time>", page)
    assert found, "the case page shows when the case opened"
    return found.group(1)


def test_a_case_page_shows_its_times_on_the_brand_s_clock(
    client: TestClient, session: Session, brand: Brand
) -> None:
    agent = accounts.create_user(session, email="ada@skyways.test", name="Ada", password=PASSWORD)
    accounts.add_membership(session, user=agent, brand=brand, role=Role.AGENT)
    case = add_case(session, brand=brand, subject="Seat charged twice", handle="ann", opened_hours_ago=5)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        subject_type="case",
        subject_id=case.id,
        payload=CaseFollowUpSet(
            follow_up_id=1, follow_up="pending", due_at="2026-12-05T15:30:00+00:00", waiting_on="refund"
        ),
    )
    session.commit()
    opened = as_utc(case.opened_at)
    sign_in(client, agent.email)

    assert _opened_label(client.get(f"/cases/{case.id}").text) == f"{opened:%a %d %b %Y %H:%M} UTC"

    business_hours_in(
        client, token_for(session, brand, "mona@skyways.test", Role.MANAGER), "America/New_York"
    )
    local = opened.astimezone(ZoneInfo("America/New_York"))
    page = client.get(f"/cases/{case.id}").text
    assert _opened_label(page) == f"{local:%a %d %b %Y %H:%M %Z}"
    assert local.strftime("%Z") in {"EST", "EDT"}
    assert "Pending until Sat 05 Dec 2026 10:30 EST, waiting on a refund" in page  # the history too
    # the exact moment stays in the markup, for the browser and for anyone who copies it
    assert f'datetime="{opened.isoformat()}"' in page or f'datetime="{case.opened_at.isoformat()}"' in page


def _refunds_problem(session: Session, brand: Brand, team: Team, pr: User) -> Problem:
    """A problem of ``brand`` owned by ``team``, with one case, confirmed by ``pr``."""
    case = add_case(session, brand=brand, subject="Refund stuck", handle="ann", opened_hours_ago=20)
    problem = problems.create_problem(
        session,
        brand_id=brand.id,
        title="Refunds stuck",
        owner_team_id=team.id,
        case_ids=[case.id],
        actor=Actor(pr),
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    session.commit()
    return problem


def test_a_fix_expected_on_the_4th_in_sydney_reads_the_4th_there(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    pr = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
    problem = _refunds_problem(session, brand, team, pr)
    business_hours_in(
        client, token_for(session, brand, "mona@skyways.test", Role.MANAGER), "Australia/Sydney"
    )
    sign_in(client, pr.email)

    page = client.get(f"/problems/{problem.id}").text
    saved = client.post(
        f"/problems/{problem.id}",
        data={"csrf_token": csrf(page), "title": "Refunds stuck", "expected_fix_on": "2026-12-04"},
    )
    assert saved.status_code == 303

    session.expire_all()
    stored = session.get(Problem, problem.id)
    assert stored is not None
    assert stored.expected_fix_at is not None
    # the end of the 4th in Sydney (UTC+11 in December) is 12:59 on the 4th in UTC, not 23:59
    assert as_utc(stored.expected_fix_at).replace(microsecond=0) == datetime(
        2026, 12, 4, 12, 59, 59, tzinfo=UTC
    )
    page = client.get(f"/problems/{problem.id}").text
    assert "fix expected Fri 04 Dec 2026" in page
    assert 'name="expected_fix_on" type="date" value="2026-12-04"' in page


def test_a_statement_valid_until_five_pm_in_new_york_ends_at_five_pm_there(
    client: TestClient, session: Session, brand: Brand
) -> None:
    pr = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
    session.commit()
    business_hours_in(
        client, token_for(session, brand, "mona@skyways.test", Role.MANAGER), "America/New_York"
    )
    sign_in(client, pr.email)

    page = client.get("/wording").text
    assert 'Valid until <span class="muted">(New York time)</span>' in page
    saved = client.post(
        "/wording/talking-points",
        data={
            "csrf_token": csrf(page),
            "title": "Snow",
            "text": "Flights resume at noon.",
            "valid_until": "2026-12-10T17:00",
        },
    )
    assert saved.status_code == 303
    stored = session.scalars(select(TalkingPoint.valid_until)).one()
    assert stored is not None
    assert as_utc(stored) == datetime(2026, 12, 10, 22, 0, tzinfo=UTC)  # 17:00 EST


def test_another_brand_s_problem_reads_and_keeps_its_own_day_and_refuses_a_day_past_2100(
    client: TestClient, session: Session, brand: Brand
) -> None:
    """A PR lead of two brands, Skyways (UTC) selected, opens Zephyr's problem in Los Angeles."""
    zephyr = accounts.create_brand(session, slug="zephyr", name="Zephyr")
    crew = accounts.create_team(session, brand=zephyr, slug="care", name="Care", is_default=True)
    pr = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
    accounts.add_membership(session, user=pr, brand=zephyr, role=Role.PR)
    problem = _refunds_problem(session, zephyr, crew, pr)
    business_hours_in(
        client, token_for(session, zephyr, "mona@zephyr.test", Role.MANAGER), "America/Los_Angeles"
    )
    sign_in(client, pr.email)
    url = f"/problems/{problem.id}"

    for _ in range(2):  # saved twice as it stands: the day does not creep
        page = client.get(url).text
        form = {"csrf_token": csrf(page), "title": "Refunds stuck", "expected_fix_on": "2026-12-04"}
        assert client.post(url, data=form).status_code == 303
        page = client.get(url).text
        assert "fix expected Fri 04 Dec 2026" in page
        assert 'name="expected_fix_on" type="date" value="2026-12-04"' in page

    late = client.post(url, data={**form, "csrf_token": csrf(page), "expected_fix_on": "2100-12-31"})
    assert late.status_code == 303, "the last day there is ends in 2101 in UTC: refused, not a server error"
    assert "Expected_fix_on: must be in the years 1970 to 2100" in client.get(late.headers["location"]).text
    assert "fix expected Fri 04 Dec 2026" in client.get(url).text


def test_a_pending_date_is_typed_on_the_clock_the_page_shows(
    client: TestClient, session: Session, brand: Brand
) -> None:
    agent = accounts.create_user(session, email="ada@skyways.test", name="Ada", password=PASSWORD)
    accounts.add_membership(session, user=agent, brand=brand, role=Role.AGENT)
    case = add_case(
        session, brand=brand, subject="Refund", handle="ann", opened_hours_ago=5, status=CaseStatus.OPEN
    )
    session.commit()
    business_hours_in(
        client, token_for(session, brand, "mona@skyways.test", Role.MANAGER), "America/New_York"
    )
    sign_in(client, agent.email)

    page = client.get(f"/cases/{case.id}").text
    assert 'Pending until <span class="muted">(New York time)</span>' in page
    form = dict(re.findall(r'<input type="hidden" name="(csrf_token|zone)" value="([^"]+)"', page))
    assert form["zone"] == "America/New_York"
    until = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo("America/New_York"))
    typed = f"{until:%Y-%m-%d}T10:30"
    parked = client.post(f"/cases/{case.id}/pending", data={**form, "until": typed, "reason": "refund"})
    assert parked.status_code == 303
    page = client.get(f"/cases/{case.id}").text
    assert f"{until:%a %d %b %Y} 10:30 E" in page, "shown back as typed"


def test_a_promise_campaign_runs_from_the_start_of_its_first_day_to_the_end_of_its_last_where_the_brand_is(
    client: TestClient, session: Session, brand: Brand
) -> None:
    business_hours_in(
        client, token_for(session, brand, "mona@skyways.test", Role.MANAGER), "America/New_York"
    )
    pr = accounts.create_user(session, email="priya@skyways.test", name="Priya", password=PASSWORD)
    accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
    session.commit()
    sign_in(client, pr.email)
    form = {"text": "Your bags arrive with you", "starts_on": "2026-03-01", "ends_on": "2026-03-31"}
    made = client.post("/promises/new", data={**form, "csrf_token": csrf(client.get("/promises/new").text)})
    assert made.status_code == 303, made.text

    promise = session.scalars(select(Promise)).one()
    assert promise.starts_at is not None
    assert promise.ends_at is not None
    new_york = ZoneInfo("America/New_York")
    assert as_utc(promise.starts_at) == datetime(2026, 3, 1, tzinfo=new_york)  # 05:00 UTC, not midnight
    assert as_utc(promise.ends_at) == datetime(2026, 4, 1, tzinfo=new_york) - timedelta(microseconds=1)
    assert "Sun 01 Mar 2026 to Tue 31 Mar 2026" in client.get(made.headers["location"]).text
    edit = client.get(f"/promises/{promise.id}/edit").text
    assert 'value="2026-03-01"' in edit
    assert 'value="2026-03-31"' in edit, "saved again unchanged, the days do not move"
