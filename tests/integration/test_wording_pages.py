"""PR writes a holding statement on the incident page; agents see it on every linked case and inbox row."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.models import Case
from ombuds.errors import Conflict
from ombuds.incidents.models import Incident, IncidentStatus
from ombuds.responses.wording.actions import save_template
from ombuds.responses.wording.models import NewsItem, TalkingPoint
from tests.integration.test_web_cases import NOW, add_case, add_mention, sign_in
from tests.integration.test_wording_api import member, outage

__all__ = ["outage"]  # the fixture, shared with the API tests

FIRST = "We know flights out of Oslo are delayed by a baggage fault. Refunds within 14 days."
SECOND = "The Oslo baggage fault is fixed; delayed bags reach you within 24 hours."


def csrf(page_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert found
    return found.group(1)


def banner_texts(page_text: str) -> list[str]:
    return re.findall(r'data-testid="holding-text">([^<]*)<', page_text)


def test_pr_writes_and_revises_a_holding_statement_agents_see_it_on_linked_cases_and_inbox_rows(
    client: TestClient,
    session: Session,
    brand: Brand,
    agent: User,
    outage: tuple[Incident, list[Case]],
) -> None:
    incident, cases = outage
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    elsewhere = add_case(session, brand=brand, subject="Seat upgrade", handle="cy", opened_hours_ago=1)
    add_mention(session, case=elsewhere, text="Can I upgrade with miles?", at=NOW)
    session.commit()

    sign_in(client, pr.email)
    page = client.get(f"/incidents/{incident.id}")
    assert 'data-testid="holding-form"' in page.text
    assert "No holding statement yet" in page.text
    saved = client.post(
        f"/incidents/{incident.id}/holding-statement", data={"text": FIRST, "csrf_token": csrf(page.text)}
    )
    assert saved.status_code == 303
    page = client.get(f"/incidents/{incident.id}")
    assert FIRST in page.text
    assert "Holding statement saved (version 1); every linked case shows it." in page.text  # active
    assert re.search(r"Version 1 · approved by Pia", page.text)
    assert "Holding statement" in page.text
    assert "incident.holding_statement" not in page.text
    client.post("/logout", data={"csrf_token": csrf(page.text)})

    sign_in(client, agent.email)
    for case in cases:
        case_page = client.get(f"/cases/{case.id}")
        assert banner_texts(case_page.text) == [FIRST]
        suggested = re.findall(
            r'data-testid="suggested-talking-point" data-talking-point-id="(\d+)"', case_page.text
        )
        assert len(suggested) == 1
        assert f'data-insert-reply="{FIRST}"' in case_page.text
    assert banner_texts(client.get(f"/cases/{elsewhere.id}").text) == []
    inbox = client.get("/inbox").text
    badged = {
        int(case_id)
        for case_id in re.findall(
            r'data-case-id="(\d+)"[^>]*>(?:(?!data-testid="case-row").)*?data-testid="holding-badge"',
            inbox,
            re.S,
        )
    }
    assert badged == {case.id for case in cases}
    # an agent cannot write the statement
    refused = client.post(
        f"/incidents/{incident.id}/holding-statement", data={"text": "Not mine", "csrf_token": csrf(inbox)}
    )
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": csrf(inbox)})

    sign_in(client, pr.email)
    page = client.get(f"/incidents/{incident.id}")
    client.post(
        f"/incidents/{incident.id}/holding-statement", data={"text": SECOND, "csrf_token": csrf(page.text)}
    )
    page = client.get(f"/incidents/{incident.id}")
    assert "Version 2 · approved by Pia" in page.text
    case_page = client.get(f"/cases/{cases[0].id}")
    assert banner_texts(case_page.text) == [SECOND]
    assert FIRST not in case_page.text


def test_the_wording_page_manages_templates_and_news_for_pr_and_only_shows_them_to_agents(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    case = add_case(session, brand=brand, subject="Lounge", handle="eve", opened_hours_ago=1)
    add_mention(session, case=case, text="Is the new lounge in Bergen open?", at=NOW)
    session.commit()

    sign_in(client, pr.email)
    page = client.get("/wording")
    assert page.status_code == 200
    token = csrf(page.text)
    made = client.post(
        "/wording/templates",
        data={
            "name": "Lounge",
            "body": "Hi {customer_name}, lounge info is at skyways.test/lounge.",
            "variants": "x: Hi {customer_name}! skyways.test/lounge",
            "keywords": "lounge",
            "csrf_token": token,
        },
    )
    assert made.status_code == 303
    bad = client.post(
        "/wording/templates",
        data={"name": "Broken", "body": "x", "variants": "no colon here", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "channel: wording" in bad.text, "why, beside the form"
    assert 'value="Broken"' in bad.text, "what was typed stays"
    assert ">no colon here</textarea>" in bad.text
    client.post(
        "/wording/news",
        data={
            "kind": "launch",
            "title": "Bergen lounge opens",
            "body": "Open from 1 December.",
            "keywords": "lounge",
            "may_share": "true",
            "csrf_token": token,
        },
    )
    page = client.get("/wording")
    assert page.text.count('data-testid="template-row"') == 1
    assert "Bergen lounge opens" in page.text
    client.post("/logout", data={"csrf_token": token})

    sign_in(client, agent.email)
    listing = client.get("/wording")
    assert 'data-testid="template-form"' not in listing.text
    assert "Bergen lounge opens" in listing.text
    case_page = client.get(f"/cases/{case.id}").text
    assert "Hi Eve! skyways.test/lounge" in case_page  # the X variant, filled in
    assert 'data-testid="suggested-news"' in case_page
    refused = client.post(
        "/wording/news", data={"kind": "launch", "title": "Mine", "csrf_token": csrf(case_page)}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "valid_until",
    [
        "9999-12-31T23:59:59-14:00",  # no UTC equivalent: a day past year 9999
        "0001-01-01T00:00:00+14:00",  # no UTC equivalent: before year 1
        "0001-01-01T00:00",
    ],
)
def test_a_form_validity_date_outside_the_years_is_refused_and_nothing_is_saved(
    client: TestClient,
    session: Session,
    brand: Brand,
    outage: tuple[Incident, list[Case]],
    valid_until: str,
) -> None:
    incident, _cases = outage
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, pr.email)
    token = csrf(client.get("/wording").text)

    for url, form, shown_on in (
        (f"/incidents/{incident.id}/holding-statement", {"text": FIRST}, f"/incidents/{incident.id}"),
        ("/wording/talking-points", {"title": "Oslo", "text": FIRST}, "/wording"),
        ("/wording/news", {"kind": "outage", "title": "Oslo"}, "/wording"),
    ):
        refused = client.post(url, data={**form, "valid_until": valid_until, "csrf_token": token})

        if shown_on == "/wording":  # the page again, the form as it was sent
            assert refused.status_code == 422, (url, refused.text)
            assert "Valid until: must be in the years 1970 to 2100" in refused.text, url
            assert f'value="{valid_until}"' in refused.text, url
            assert 'value="Oslo"' in refused.text, url
        else:
            assert refused.status_code == 303, (url, refused.text)
            assert "valid until: must be in the years 1970 to 2100" in client.get(shown_on).text, url
    assert session.scalars(select(TalkingPoint)).all() == []
    assert session.scalars(select(NewsItem)).all() == []


def test_a_statement_valid_until_a_past_moment_is_refused_saying_so_and_the_words_stay(
    client: TestClient, session: Session, brand: Brand, outage: tuple[Incident, list[Case]]
) -> None:
    incident, _cases = outage
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, pr.email)
    page = client.get("/wording").text
    assert 'name="valid_until" type="datetime-local" min="' in page, "the browser offers no past date"
    token = csrf(page)
    form = {"title": "Oslo", "text": FIRST, "valid_until": "2020-01-01T10:00", "csrf_token": token}
    refused = client.post("/wording/talking-points", data=form)
    assert refused.status_code == 422
    assert "Valid until: Wed 01 Jan 2020 10:00 UTC has passed" in refused.text
    assert f">{FIRST}</textarea>" in refused.text
    client.post(f"/incidents/{incident.id}/holding-statement", data={"text": FIRST, **form})
    assert "valid until: Wed 01 Jan 2020 10:00 UTC has passed" in client.get(f"/incidents/{incident.id}").text
    assert session.scalars(select(TalkingPoint)).all() == []


def test_a_statement_saved_while_the_incident_is_watched_says_when_cases_will_show_it(
    client: TestClient, session: Session, brand: Brand, outage: tuple[Incident, list[Case]]
) -> None:
    incident, _cases = outage
    incident.status = IncidentStatus.WATCHING
    session.commit()
    pr = member(session, brand, "pia@skyways.test", Role.PR)
    sign_in(client, pr.email)
    token = csrf(client.get(f"/incidents/{incident.id}").text)
    client.post(f"/incidents/{incident.id}/holding-statement", data={"text": FIRST, "csrf_token": token})
    page = client.get(f"/incidents/{incident.id}").text
    assert "linked cases show it once the incident is active (it is watching now)" in page
    assert "every linked case shows it" not in page


def test_template_names_clash_whatever_their_letters_case_on_both_databases(
    session: Session, brand: Brand
) -> None:
    save_template(
        session, brand_id=brand.id, name="Élan vital", body="Hi {customer_name}", actor_id=None, now=NOW
    )
    with pytest.raises(Conflict, match="already has a template called 'élan VITAL'"):
        save_template(session, brand_id=brand.id, name="élan VITAL", body="Hello", actor_id=None, now=NOW)
