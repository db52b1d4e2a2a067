"""Administration in the app: each admin action through the pages, the roles that may not, another
brand's rows, bad input, invite links, and deactivation that bites at once."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import ApiToken, Brand, Invite, Role, Team, User
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.clock import utcnow
from ombuds.errors import Conflict
from ombuds.events import Event
from ombuds.incidents.models import Alert, AlertChannel, AlertStatus
from ombuds.mentions.actions import get_or_create_source
from ombuds.mentions.models import Source
from ombuds.routing.actions import create_rule
from ombuds.routing.models import RoutingRule
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.integration.test_incidents_alerts import Inbox, inbox, webhook  # noqa: F401 (fixtures)
from tests.integration.test_web_cases import add_case, add_mention

PASSWORD = "correct horse"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

ADMIN_PAGES = (
    "/admin",
    "/admin/brands",
    "/admin/teams",
    "/admin/people",
    "/admin/tokens",
    "/admin/rules",
    "/admin/sla",
    "/admin/alerts",
    "/admin/sources",
    "/admin/digest",
)


def _person(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = actions.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    actions.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


def signed_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign the client in; the CSRF token its forms carry."""
    token = CSRF.search(client.get("/login").text)
    assert token
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text
    found = CSRF.search(client.get("/team").text)
    assert found
    return found.group(1)


@pytest.fixture
def admin(session: Session, brand: Brand) -> User:
    return _person(session, brand, "ann@skyways.test", Role.ADMIN)


@pytest.fixture
def csrf(client: TestClient, admin: User) -> str:
    return signed_in(client, admin.email)


def post(client: TestClient, csrf: str, path: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": csrf, **data})


def flashes(client: TestClient, path: str) -> str:
    return client.get(path).text


# --- teams, brands ----------------------------------------------------------------------------------


def test_an_admin_creates_renames_and_archives_a_team_and_rules_to_it_switch_off(
    client: TestClient, csrf: str, session: Session, brand: Brand
) -> None:
    created = client.post("/admin/teams", data={"csrf_token": csrf, "name": "Baggage"})
    assert created.status_code == 303
    team = session.scalars(select(Team).where(Team.slug == "baggage")).one()
    assert "Baggage" in client.get("/admin/teams").text
    create_rule(session, brand_id=brand.id, name="Bags", team=team, categories=["baggage"])
    session.commit()

    agent = _person(session, brand, "ada@skyways.test", Role.AGENT)
    added = client.post(
        f"/admin/teams/{team.id}/members", data={"csrf_token": csrf, "user_id": str(agent.id)}
    )
    assert added.status_code == 303
    members = client.get("/admin/teams").text
    assert re.search(rf'data-team-id="{team.id}">.*?team-members">.*?Ada', members, re.S), "Ada is in Baggage"
    removed = client.post(f"/admin/teams/{team.id}/members/{agent.id}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 303
    renamed = client.post(f"/admin/teams/{team.id}/rename", data={"csrf_token": csrf, "name": "Lost bags"})
    assert renamed.status_code == 303
    archived = client.post(f"/admin/teams/{team.id}/archive", data={"csrf_token": csrf})
    assert archived.status_code == 303
    session.expire_all()
    assert team.name == "Lost bags"
    assert team.archived_at is not None
    rule = session.scalars(select(RoutingRule)).one()
    assert rule.is_active is False, "a rule may not route to a team nobody sees"
    # an archived team leaves the pickers: the Team page no longer offers it
    assert f'<option value="{team.id}"' not in client.get("/team").text
    kinds = set(
        session.scalars(select(Event.kind).where(Event.subject_type == "team", Event.subject_id == team.id))
    )
    assert {"team.created", "team.renamed", "team.archived"} <= kinds


def test_a_team_with_open_cases_or_the_default_team_is_not_archived(
    client: TestClient, csrf: str, session: Session, brand: Brand, team: Team
) -> None:
    default = client.post(f"/admin/teams/{team.id}/archive", data={"csrf_token": csrf})
    assert default.status_code == 422
    assert "default team" in default.text
    other = actions.create_team(session, brand=brand, slug="billing", name="Billing")
    customer = Customer(brand_id=brand.id, display_name="Mara")
    session.add(customer)
    session.flush()
    session.add(
        Case(
            brand_id=brand.id,
            customer_id=customer.id,
            subject="Refund",
            channel="email",
            status=CaseStatus.OPEN,
            opened_at=utcnow(),
            last_activity_at=utcnow(),
            team_id=other.id,
        )
    )
    session.commit()
    busy = client.post(f"/admin/teams/{other.id}/archive", data={"csrf_token": csrf})
    assert busy.status_code == 422
    assert "1 open case" in busy.text


def test_an_admin_creates_a_brand_they_then_administer_and_renames_it(
    client: TestClient, csrf: str, session: Session, admin: User
) -> None:
    assert client.post("/admin/brands", data={"csrf_token": csrf, "name": "Larkspur Air"}).status_code == 303
    brand = session.scalars(select(Brand).where(Brand.slug == "larkspur-air")).one()
    renamed = client.post(f"/admin/brands/{brand.id}/rename", data={"csrf_token": csrf, "name": "Larkspur"})
    assert renamed.status_code == 303
    page = client.get("/admin/brands").text
    assert "Larkspur" in page
    assert "larkspur-air" in page
    clash = client.post("/admin/brands", data={"csrf_token": csrf, "name": "Larkspur  air"})
    assert clash.status_code == 409
    assert "name:" in clash.text


# --- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_agents_and_viewers_are_refused_every_admin_page_and_form(
    client: TestClient, session: Session, brand: Brand, team: Team, role: Role
) -> None:
    person = _person(session, brand, f"{role.value}@skyways.test", role)
    csrf = signed_in(client, person.email)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    assert 'href="/admin"' not in client.get("/team").text, "no Admin entry in their menu"
    assert client.post("/admin/teams", data={"csrf_token": csrf, "name": "Mine"}).status_code == 403
    assert (
        client.post(f"/admin/people/{person.id}/role", data={"csrf_token": csrf, "role": "admin"}).status_code
        == 403
    )
    session.expire_all()
    assert session.scalar(select(Team).where(Team.slug == "mine")) is None


def test_a_manager_keeps_teams_and_the_sla_but_not_people(
    client: TestClient, session: Session, brand: Brand
) -> None:
    manager = _person(session, brand, "max@skyways.test", Role.MANAGER)
    signed_in(client, manager.email)
    assert [client.get(p).status_code for p in ("/admin", "/admin/teams", "/admin/sla")] == [200, 200, 200]
    assert [client.get(p).status_code for p in ("/admin/people", "/admin/tokens", "/admin/rules")] == [
        403
    ] * 3
    # the menu on their pages offers what they may open, and says which page this is
    menu = client.get("/admin/teams").text.split('aria-label="Administration"', 1)[1].split("</nav>", 1)[0]
    offered = re.findall(r'href="(/admin[^"]*)"', menu)
    assert offered == ["/admin", "/admin/teams", "/admin/sla", "/admin/digest"]
    assert [client.get(path).status_code for path in offered] == [200] * 4
    assert '<a href="/admin/teams" aria-current="page">Teams</a>' in menu


def test_another_brands_rows_are_not_found(
    client: TestClient, csrf: str, session: Session, brand: Brand
) -> None:
    rival = actions.create_brand(session, slug="rival", name="Rival Air")
    their_team = actions.create_team(session, brand=rival, slug="care", name="Care", is_default=True)
    their_person = _person(session, rival, "rita@rival.test", Role.AGENT)
    token, _ = actions.create_api_token(session, brand=rival, name="crm")
    rule = create_rule(session, brand_id=rival.id, name="Theirs")
    channel = AlertChannel(
        brand_id=rival.id, name="Their room", kind="webhook", target="http://127.0.0.1:9/x"
    )
    source = get_or_create_source(session, brand_id=rival.id, kind="api", name="feed")
    session.add(channel)
    session.commit()
    for path in (
        f"/admin/teams/{their_team.id}/rename",
        f"/admin/teams/{their_team.id}/archive",
        f"/admin/teams/{their_team.id}/members",
        f"/admin/teams/{their_team.id}/members/{their_person.id}/remove",
        f"/admin/people/{their_person.id}/deactivate",
        f"/admin/people/{their_person.id}/role",
        f"/admin/tokens/{token.id}/revoke",
        f"/admin/rules/{rule.id}",
        f"/admin/rules/{rule.id}/move",
        f"/admin/alerts/{channel.id}/test",
        f"/admin/sources/{source.id}/pause",
        f"/admin/brands/{rival.id}/rename",
    ):
        answer = client.post(
            path, data={"csrf_token": csrf, "name": "Mine now", "role": "admin", "direction": "up"}
        )
        assert answer.status_code == 404, f"{path}: {answer.status_code}"
    assert client.get(f"/admin/rules/{rule.id}").status_code == 404
    session.expire_all()
    assert their_team.name == "Care"
    assert their_person.is_active
    assert token.revoked_at is None
    assert source.paused_at is None


def test_bad_input_is_a_clear_answer_naming_the_field(client: TestClient, csrf: str) -> None:
    cases = {
        ("/admin/teams", "name", "   "): (422, "name: please fill it in"),
        ("/admin/people/invite", "email", "not-an-address"): (422, "email: "),
        ("/admin/tokens", "name", ""): (422, "name: please fill it in"),
        ("/admin/rules", "name", "x" * 300): (422, "name: at most 200 characters"),
        ("/admin/sources", "name", "feed"): (422, "kind: one of"),
        ("/admin/alerts", "name", "Room"): (422, "kind and min_severity"),
        ("/admin/sla", "hours.mon", "9-5"): (422, "Monday: opening window &#39;9-5&#39;"),
    }
    for (path, field, value), (status, words) in cases.items():
        answer = client.post(path, data={"csrf_token": csrf, field: value})
        assert answer.status_code == status, f"{path}: {answer.status_code}"
        assert words in answer.text, f"{path}: {answer.text[:300]}"


def test_a_refused_sla_policy_comes_back_as_typed_with_what_was_wrong(
    client: TestClient, csrf: str, session: Session
) -> None:
    typed = {"first_response.urgent": "45", "timezone": "Europe/Lisbon", "hours.tue": "17:00-09:00"}
    typed |= {"hours.mon": "08:30-18:00", "notify_managers_on_breach": "1", "holidays": "2026-12-25"}
    answer = client.post("/admin/sla", data={"csrf_token": csrf, **typed})
    assert answer.status_code == 422
    page = answer.text
    assert 'data-testid="sla-error"' in page
    assert "Tuesday: opening window" in page
    assert "Nothing was saved" in page
    for field in ("first_response.urgent", "timezone", "hours.tue", "hours.mon", "holidays"):
        assert f'name="{field}" value="{typed[field]}"' in page.replace(
            'inputmode="numeric" size="6" ', ""
        ), field
    assert 'name="notify_managers_on_breach" value="1" checked' in page
    assert 'name="raise_priority_on_breach" value="1">' in page, "left unticked as it was sent"
    assert "08:30-18:00" not in client.get("/admin/sla").text, "nothing was stored"


@pytest.mark.parametrize(
    ("path", "form", "words"),
    [
        ("/admin/sla", {"first_response.urgent": "²"}, "First response, urgent: a whole number of minutes"),
        ("/admin/sla", {"near_breach_percent": "²"}, "Near breach at: a whole number of minutes"),
        ("/admin/sla", {"move_to_team_id": "²"}, "Hand the case to: &#39;²&#39; is not a team of"),
        ("/admin/rules", {"name": "Legal", "team_id": "²"}, "team_id: &#39;²&#39; is not a team of"),
        ("/admin/rules/try", {"text": "Where is my bag?", "followers": "²"}, "followers: a whole number"),
        (
            "/admin/alerts",
            {"name": "Room", "kind": "webhook", "target": "https://chat.test/h", "quiet_from_hour": "²"},
            "quiet_from_hour: an hour from 0 to 23",
        ),
        ("/admin/tokens", {"name": "CRM sync", "user_id": "²"}, "user_id: &#39;²&#39; is not a person of"),
    ],
    ids=[
        "sla-target",
        "sla-near-breach",
        "sla-move-team",
        "rule-team",
        "rule-try-followers",
        "alert-quiet-hour",
        "token-person",
    ],
)
def test_digits_that_are_not_plain_ascii_are_refused_naming_the_field_and_nothing_is_stored(
    client: TestClient, csrf: str, session: Session, path: str, form: dict[str, str], words: str
) -> None:
    # "²".isdigit() is true, yet int("²") fails: each form must name its field, not answer 500.
    stored = (RoutingRule, AlertChannel, ApiToken, Event)
    before = [len(session.scalars(select(model.id)).all()) for model in stored]

    answer = client.post(path, data={"csrf_token": csrf, **form})

    assert answer.status_code == 422, answer.text[:300]
    assert words in answer.text, answer.text[:600]
    session.expire_all()
    assert [len(session.scalars(select(model.id)).all()) for model in stored] == before


@pytest.mark.parametrize("zone", ["Not/AZone", "Europe/Lis\x07bon", "localtime", "posixrules", "Factory"])
def test_an_alert_channel_in_a_zone_that_is_not_an_iana_region_is_refused_naming_timezone(
    client: TestClient, csrf: str, session: Session, zone: str
) -> None:
    form = {"name": "PR room", "kind": "webhook", "target": "https://chat.test/h", "timezone": zone}
    form |= {"quiet_from_hour": "22", "quiet_until_hour": "7"}

    answer = client.post("/admin/alerts", data={"csrf_token": csrf, **form})

    assert answer.status_code == 422, answer.text[:300]
    assert "timezone: " in answer.text
    assert "is not an IANA time zone such as Europe/London" in answer.text
    assert session.scalars(select(AlertChannel.id)).all() == []


# --- people: invites, roles, deactivation ----------------------------------------------------------


def _invite(client: TestClient, csrf: str, email: str, role: str = "agent") -> str:
    answer = client.post(
        "/admin/people/invite", data={"csrf_token": csrf, "email": email, "name": "Ivo New", "role": role}
    )
    assert answer.status_code == 200, answer.text
    return _invite_link(answer.text)


def _invite_link(page: str) -> str:
    link = re.search(r'data-testid="invite-link" value="([^"]+)"', page)
    assert link, "the link is on the page, once"
    return link.group(1)


def test_an_invite_link_works_once_and_signs_the_person_in(
    session_factory: sessionmaker[Session], client: TestClient, csrf: str, tmp_path: Path
) -> None:
    link = _invite(client, csrf, "ivo@skyways.test", role="manager")
    path = link.removeprefix("http://testserver")
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as newcomer:
        form = newcomer.get(path)
        assert form.status_code == 200
        assert "ivo@skyways.test" in form.text
        token = CSRF.search(form.text)
        assert token
        differ = newcomer.post(
            path,
            data={"csrf_token": token.group(1), "password": "a long secret", "password_again": "another one"},
        )
        assert differ.status_code == 422
        assert "differ" in differ.text
        joined = newcomer.post(
            path,
            data={
                "csrf_token": token.group(1),
                "password": "a long secret",
                "password_again": "a long secret",
            },
        )
        assert joined.status_code == 303
        assert joined.headers["location"] == "/inbox"
        assert newcomer.get("/team").status_code == 200, "signed in by the link"
        assert newcomer.get("/admin/teams").status_code == 200, "with the invited role"
        fresh = CSRF.search(newcomer.get("/team").text)
        assert fresh
        again = newcomer.post(
            path, data={"csrf_token": fresh.group(1), "password": "x" * 12, "password_again": "x" * 12}
        )
        assert again.status_code == 410
        assert "Ask your administrator" in again.text
    assert newcomer.get(path).status_code == 410
    with TestClient(app, follow_redirects=False) as browser:
        signed_in(browser, "ivo@skyways.test", "a long secret")


def test_an_invite_link_expires_and_a_withdrawn_one_stops_working(
    client: TestClient, csrf: str, session: Session, brand: Brand, admin: User
) -> None:
    _, old = actions.create_invite(
        session,
        brand=brand,
        email="late@skyways.test",
        name="Late",
        role=Role.AGENT,
        actor=admin,
        now=utcnow() - actions.INVITE_VALID_FOR - timedelta(minutes=1),
    )
    session.commit()
    assert client.get(f"/invite/{old}").status_code == 410
    link = _invite(client, csrf, "maybe@skyways.test").removeprefix("http://testserver")
    invite = session.scalars(select(Invite).where(Invite.email == "maybe@skyways.test")).one()
    assert client.post(f"/admin/invites/{invite.id}/revoke", data={"csrf_token": csrf}).status_code == 303
    assert client.get(link).status_code == 410
    assert client.get("/nothing-here-either").status_code == 404
    assert client.get("/invite/omb_made_up").status_code == 410


def test_someone_with_an_account_joins_only_by_opening_the_link_with_their_own_password(
    session_factory: sessionmaker[Session],
    client: TestClient,
    csrf: str,
    session: Session,
    brand: Brand,
    tmp_path: Path,
) -> None:
    rival = actions.create_brand(session, slug="rival", name="Rival Air")
    known = _person(session, rival, "kim@rival.test", Role.AGENT)
    answer = client.post(
        "/admin/people/invite",
        data={"csrf_token": csrf, "email": "Kim@Rival.test", "name": "New Hire", "role": "pr"},
    )
    # the admin sees a link, as for anyone: not whether the address has an account, nor its name
    assert answer.status_code == 200
    assert 'data-testid="invite-link"' in answer.text
    assert known.name not in answer.text
    session.expire_all()
    assert brand.id not in {m.brand_id for m in known.memberships}, "not added without agreeing"

    path = _invite_link(answer.text).removeprefix("http://testserver")
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as kim:
        form = kim.get(path)
        assert "has an Ombuds account already" in form.text
        token = CSRF.search(form.text)
        assert token
        wrong = kim.post(path, data={"csrf_token": token.group(1), "password": "not my password"})
        assert wrong.status_code == 401
        assert "not the password of this account" in wrong.text
        session.expire_all()
        assert brand.id not in {m.brand_id for m in known.memberships}
        joined = kim.post(path, data={"csrf_token": token.group(1), "password": PASSWORD})
        assert joined.status_code == 303
        assert kim.get("/team").status_code == 200, "signed in by the link"
    session.expire_all()
    assert {m.brand_id: m.role for m in known.memberships} == {rival.id: Role.AGENT, brand.id: Role.PR}
    assert actions.authenticate(session, email="kim@rival.test", password=PASSWORD) is not None
    again = client.post(
        "/admin/people/invite", data={"csrf_token": csrf, "email": "kim@rival.test", "role": "pr"}
    )
    assert again.status_code == 409
    assert "works for Skyways already" in again.text


def test_role_changes_and_the_brand_keeps_an_administrator(
    client: TestClient, csrf: str, session: Session, brand: Brand, admin: User
) -> None:
    agent = _person(session, brand, "ada@skyways.test", Role.AGENT)
    assert (
        client.post(
            f"/admin/people/{agent.id}/role", data={"csrf_token": csrf, "role": "manager"}
        ).status_code
        == 303
    )
    last = client.post(f"/admin/people/{admin.id}/role", data={"csrf_token": csrf, "role": "agent"})
    assert last.status_code == 422
    assert "only administrator" in last.text
    wrong = client.post(f"/admin/people/{agent.id}/role", data={"csrf_token": csrf, "role": "owner"})
    assert wrong.status_code == 422
    assert "role:" in wrong.text
    session.expire_all()
    assert [m.role for m in agent.memberships] == [Role.MANAGER]


def test_deactivating_a_person_ends_their_sessions_and_tokens_at_once(
    session_factory: sessionmaker[Session],
    client: TestClient,
    csrf: str,
    session: Session,
    brand: Brand,
    admin: User,
    tmp_path: Path,
) -> None:
    agent = _person(session, brand, "ada@skyways.test", Role.AGENT)
    _, secret = actions.create_api_token(session, brand=brand, name="assistant", user=agent)
    session.commit()
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as theirs:
        signed_in(theirs, agent.email)
        bearer = {"Authorization": f"Bearer {secret}"}
        assert theirs.get("/team").status_code == 200
        assert theirs.get("/api/v1/teams", headers=bearer).status_code == 200

        refused = client.post(f"/admin/people/{admin.id}/deactivate", data={"csrf_token": csrf})
        assert refused.status_code == 422
        assert "yourself" in refused.text
        assert (
            client.post(f"/admin/people/{agent.id}/deactivate", data={"csrf_token": csrf}).status_code == 303
        )

        page = theirs.get("/team")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login")
        assert theirs.get("/api/v1/teams", headers=bearer).status_code == 401
    assert "Deactivated" in client.get("/admin/people").text


# --- tokens -----------------------------------------------------------------------------------------


def test_a_token_is_shown_once_works_and_stops_when_revoked(
    client: TestClient, csrf: str, session: Session
) -> None:
    made = client.post("/admin/tokens", data={"csrf_token": csrf, "name": "CRM sync", "user_id": ""})
    assert made.status_code == 200
    found = re.search(r'data-testid="token-value" value="(omb_[^"]+)"', made.text)
    assert found
    secret = found.group(1)
    listing = client.get("/admin/tokens").text
    assert "CRM sync" in listing
    assert secret not in listing, "shown once, never again"
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(client.app) as machine:
        assert machine.get("/api/v1/teams", headers=bearer).status_code == 200
        token = session.scalars(select(ApiToken)).one()
        assert client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf}).status_code == 303
        assert machine.get("/api/v1/teams", headers=bearer).status_code == 401


# --- routing rules, SLA -----------------------------------------------------------------------------


def test_rules_are_added_edited_reordered_and_the_tester_says_which_fires(
    client: TestClient, csrf: str, session: Session, brand: Brand, team: Team
) -> None:
    baggage = actions.create_team(session, brand=brand, slug="baggage", name="Baggage")
    session.commit()
    form = {"csrf_token": csrf, "team_id": str(baggage.id), "priority": "", "signals": "", "channels": ""}
    assert (
        client.post("/admin/rules", data={**form, "name": "Email first", "channels": "email"}).status_code
        == 303
    )
    assert (
        client.post(
            "/admin/rules", data={**form, "name": "Legal", "signals": "legal_threat", "priority": "urgent"}
        ).status_code
        == 303
    )
    legal = session.scalars(select(RoutingRule).where(RoutingRule.name == "Legal")).one()
    assert (
        client.post(f"/admin/rules/{legal.id}/move", data={"csrf_token": csrf, "direction": "up"}).status_code
        == 303
    )
    order = re.findall(r'data-testid="rule-row" data-rule-id="(\d+)"', client.get("/admin/rules").text)
    assert order[0] == str(legal.id), "moved up: tried first"

    edited = client.post(
        f"/admin/rules/{legal.id}",
        data={
            **form,
            "name": "Legal threats",
            "signals": "legal_threat, safety",
            "priority": "urgent",
            "is_active": "1",
        },
    )
    assert edited.status_code == 303
    session.expire_all()
    assert legal.signals == ["legal_threat", "safety"]

    tried = client.post(
        "/admin/rules/try",
        data={
            "csrf_token": csrf,
            "text": "I will see you in court, my lawyer is drafting a lawsuit over this refund",
            "channel": "email",
            "followers": "",
        },
    )
    assert tried.status_code == 200
    result = tried.text[tried.text.index('data-testid="tester-result"') :]
    assert "It would go to Baggage, priority urgent" in result
    rules = re.findall(
        r'data-testid="tester-rule" data-matched="(yes|no)">\s*<strong>([^<]+)</strong>: ([^<(]+)', result
    )
    assert [(m, n, w.strip()) for m, n, w in rules] == [
        ("yes", "Legal threats", "fires and decides"),
        ("yes", "Email first", "matches, but an earlier rule decided"),
    ]
    assert re.search(r"✓ signals [a-z_, ]*legal_threat", result), "why it fired"


def test_the_sla_page_saves_targets_and_hours_and_names_a_wrong_field(
    client: TestClient, csrf: str, session: Session, brand: Brand
) -> None:
    form = {
        "csrf_token": csrf,
        "timezone": "Europe/Lisbon",
        "hours.mon": "09:00-17:00",
        "hours.tue": "09:00-17:00",
        "holidays": "2026-12-25",
        "near_breach_percent": "75",
        "raise_priority_on_breach": "1",
    }
    for target in ("first_response", "resolution"):
        form |= {
            f"{target}.{p}": str(m) for p, m in (("urgent", 30), ("high", 60), ("normal", 240), ("low", 480))
        }
    assert client.post("/admin/sla", data=form).status_code == 303
    page = client.get("/admin/sla").text
    assert "Europe/Lisbon" in page
    assert 'value="09:00-17:00"' in page
    assert "2026-12-25" in page
    # business minutes past an hour are also said in hours beside their box
    assert '<small class="muted" data-testid="target-span">= 8 h</small>' in page
    assert '<small class="muted" data-testid="target-span">= 4 h</small>' in page
    wrong = client.post("/admin/sla", data=form | {"hours.wed": "17:00-09:00"})
    assert (wrong.status_code == 422 and "hours" in wrong.text) or "opening window" in wrong.text


# --- alert channels, sources ------------------------------------------------------------------------


def test_a_test_alert_goes_through_the_real_delivery_path(
    client: TestClient,
    csrf: str,
    session: Session,
    webhook: str,  # noqa: F811
    inbox: Inbox,  # noqa: F811
) -> None:
    added = client.post(
        "/admin/alerts", data={"csrf_token": csrf, "name": "PR room", "kind": "webhook", "target": webhook}
    )
    assert added.status_code == 303
    channel = session.scalars(select(AlertChannel)).one()
    assert client.post(f"/admin/alerts/{channel.id}/test", data={"csrf_token": csrf}).status_code == 303
    assert "went out to PR room" in client.get("/admin/alerts").text
    assert len(inbox.posts) == 1
    assert "Test alert" in inbox.posts[0]["text"]
    inbox.status = 500
    assert client.post(f"/admin/alerts/{channel.id}/test", data={"csrf_token": csrf}).status_code == 303
    assert "failed: HTTPStatusError" in client.get("/admin/alerts").text
    session.expire_all()
    assert [a.status for a in session.scalars(select(Alert).order_by(Alert.id))] == [
        AlertStatus.SENT,
        AlertStatus.FAILED,
    ]


def test_sources_are_added_paused_and_resumed_with_their_health(
    client: TestClient, csrf: str, session: Session
) -> None:
    assert (
        client.post(
            "/admin/sources", data={"csrf_token": csrf, "name": "CRM pushes", "kind": "api"}
        ).status_code
        == 303
    )
    source = session.scalars(select(Source)).one()
    assert client.post(f"/admin/sources/{source.id}/pause", data={"csrf_token": csrf}).status_code == 303
    assert 'data-testid="source-paused"' in client.get("/admin/sources").text
    session.expire_all()
    assert source.paused_at is not None
    assert client.post(f"/admin/sources/{source.id}/resume", data={"csrf_token": csrf}).status_code == 303
    page = client.get("/admin/sources").text
    assert "CRM pushes" in page
    assert "nothing yet" in page
    assert 'data-testid="source-paused"' not in page


def test_a_link_submitted_twice_at_once_is_used_once(
    session_factory: sessionmaker[Session], session: Session, brand: Brand, admin: User
) -> None:
    invite, _ = actions.create_invite(
        session, brand=brand, email="twice@skyways.test", name="Twice", role=Role.AGENT
    )
    session.commit()
    with session_factory() as first, session_factory() as second:
        # both requests found the link unused before either wrote
        mine, theirs = first.get(Invite, invite.id), second.get(Invite, invite.id)
        assert mine is not None
        assert theirs is not None
        actions.accept_invite(first, invite=mine, password="a long secret")
        first.commit()
        with pytest.raises(Conflict, match="used already"):
            actions.accept_invite(second, invite=theirs, password="another secret")
        second.rollback()
    assert len(session.scalars(select(User).where(User.email == "twice@skyways.test")).all()) == 1


def test_the_rule_tester_offers_the_brand_s_own_word_for_its_busiest_channel(
    client: TestClient, csrf: str, session: Session, brand: Brand
) -> None:
    """Channels are the sources' own words ("x" here, "twitter" from the airline file): a rule
    tried on another word than the brand's fires differently than on its messages."""
    assert (
        'id="sample-channel" name="channel" value="email"' in client.get("/admin/rules").text
    )  # no messages yet
    for handle in ("ann", "bo"):
        case = add_case(session, brand=brand, subject="Bag", handle=handle, opened_hours_ago=1)
        add_mention(session, case=case, text="bag?", at=case.opened_at)
    session.commit()
    page = client.get("/admin/rules").text
    assert 'id="sample-channel" name="channel" value="x"' in page
    # the rule's fields list the words they take, as the brand's messages carry them
    assert '<p class="field-hint muted" data-testid="known-channels">Known: <code>x</code></p>' in page
    assert "<code>legal_threat</code>" in page.split('data-testid="known-signals"')[1].split("</p>")[0]


def test_a_rule_naming_a_signal_analysis_never_gives_is_refused_and_an_unseen_category_is_pointed_out(
    client: TestClient, csrf: str, session: Session, brand: Brand
) -> None:
    typo = client.post(
        "/admin/rules", data={"csrf_token": csrf, "name": "Lawyers", "signals": "lawsuit_typo"}
    )
    assert typo.status_code == 422
    assert "lawsuit_typo is no signal analysis gives" in typo.text
    assert "legal_threat" in typo.text, "the signals there are are named"
    assert session.scalars(select(RoutingRule).where(RoutingRule.name == "Lawyers")).all() == []

    saved = client.post(
        "/admin/rules", data={"csrf_token": csrf, "name": "Ghosts", "categories": "Nonexistent Category"}
    )
    assert saved.status_code == 303
    page = flashes(client, "/admin/rules")
    assert "No message of Skyways has had the category &#39;nonexistent category&#39; yet" in page
    assert 'placeholder="x, email"' in page


def test_a_refused_form_s_page_leads_back_to_the_form(client: TestClient, csrf: str) -> None:
    refused = client.post(
        "/admin/people/invite",
        data={"csrf_token": csrf, "email": "not-an-address", "name": "Ivo New"},
        headers={"Referer": "http://testserver/admin/people?tab=invite"},
    )
    assert refused.status_code == 422
    assert 'href="/admin/people?tab=invite" data-history-back data-testid="back-to-form"' in refused.text
    elsewhere = client.post(
        "/admin/people/invite",
        data={"csrf_token": csrf, "email": "not-an-address"},
        headers={"Referer": "https://evil.example/phish"},
    )
    assert 'data-testid="back-to-form"' not in elsewhere.text, "never back to another site"


def test_zone_fields_suggest_every_zone_with_its_offset_now(client: TestClient, csrf: str) -> None:
    """Nobody remembers "America/Argentina/Buenos_Aires": typing "Buenos" offers it, with its clock."""
    for path in ("/admin/sla", "/admin/alerts"):
        page = client.get(path).text
        assert 'list="zones"' in page
        suggestions = page.split('<datalist id="zones">', 1)[1].split("</datalist>", 1)[0]
        assert '<option value="America/Argentina/Buenos_Aires" label="UTC-03:00 now">' in suggestions
        assert re.search(r'<option value="America/New_York" label="UTC-0[45]:00 now, E[SD]T">', suggestions)
        assert "localtime" not in suggestions
