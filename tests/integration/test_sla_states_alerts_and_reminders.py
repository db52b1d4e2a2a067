"""SLA states a person can trust, breaches that reach the alert channels, and reminders for overdue tasks.

The inbox and the case page say ok / near breach / breached from the brand's real policy; the
next-response clock runs from the customer's new message until our next reply; a breach is sent
once to the brand's webhook (a real HTTP server on loopback) with the case's link; an overdue task
tells its team's members and its person once; tasks are listed per brand over the API.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, TeamMember, User
from ombuds.cases.models import Case, Priority
from ombuds.clock import as_utc, utcnow
from ombuds.incidents import actions as incidents
from ombuds.incidents.delivery import deliver_due_alerts
from ombuds.incidents.models import Alert, AlertKind, AlertStatus
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.notifications.actions import notify
from ombuds.notifications.models import Notification
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.sla import DEFAULT_POLICY, SlaState, Target
from ombuds.routing.sla_actions import run_sla_round
from ombuds.routing.sla_status import case_sla_states
from ombuds.settings import Settings
from ombuds.tasks.reminders import remind_overdue_tasks
from tests.integration.test_resolutions_api import token_for
from tests.integration.test_web_cases import PASSWORD, sign_in

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday; the default policy keeps no hours

#: The same targets for every priority, round the clock, so a case's priority does not matter here.
FLAT: dict[str, Any] = {
    "timezone": "UTC",
    "hours": {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "holidays": [],
    "targets": {
        "first_response": dict.fromkeys(("urgent", "high", "normal", "low"), 240),
        "next_response": dict.fromkeys(("urgent", "high", "normal", "low"), 480),
        "resolution": dict.fromkeys(("urgent", "high", "normal", "low"), 2880),
    },
    "near_breach_percent": 80,
    "raise_priority_on_breach": True,
    "notify_managers_on_breach": True,
}


@pytest.fixture
def people(session: Session, brand: Brand) -> dict[str, dict[str, str]]:
    return {
        role.value: token_for(session, brand, f"{role.value}@skyways.test", role)
        for role in (Role.AGENT, Role.MANAGER)
    }


def message(external_id: str, author: str, text: str, at: datetime, **extra: Any) -> IncomingMention:
    created = MentionCreate(
        external_id=external_id, author=author, text=text, created_at=at, channel="x", **extra
    )
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def ingest(factory: sessionmaker[Session], brand: Brand, messages: Sequence[IncomingMention]) -> None:
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=messages)
    assert run_until_idle(factory).failed == 0


def case_of(factory: sessionmaker[Session], author_text: str) -> Case:
    with factory() as session:
        case = session.scalars(select(Case).where(Case.subject.contains(author_text))).one()
        session.expunge(case)
        return case


def states_on_the_page(html: str) -> dict[int, str]:
    """Each inbox row's case id and the SLA state it shows, in words and as its data attribute."""
    found = {}
    for row in re.findall(r'<tr data-testid="case-row".*?</tr>', html, flags=re.S):
        case_id = int(re.search(r'data-case-id="(\d+)"', row).group(1))  # type: ignore[union-attr]
        state = re.search(r'data-sla-state="(\w+)"', row)
        word = re.search(r'class="badge sla-badge">([^<]+)<', row)
        found[case_id] = f"{state.group(1)}:{word.group(1)}" if state and word else ""
    return found


# --- near breach --------------------------------------------------------------------------------------


def test_the_inbox_and_case_page_say_near_breach_once_80_percent_of_the_target_is_used(
    client: TestClient,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    people: dict[str, dict[str, str]],
) -> None:
    assert client.put("/api/v1/sla-policy", json=FLAT, headers=people["manager"]).status_code == 200
    now = utcnow()
    # four hours to answer: 75 % used is fine, 80 % is near breach, past four hours is breached
    ingest(
        session_factory,
        brand,
        [
            message("fine", "ines", "@Skyways fine question about seats", now - timedelta(hours=3)),
            message("near", "omar", "@Skyways near question about meals", now - timedelta(minutes=192)),
            message("late", "lena", "@Skyways late question about bags", now - timedelta(hours=5)),
        ],
    )
    fine, near, late = (case_of(session_factory, word) for word in ("fine", "near", "late"))

    sign_in(client, "agent@skyways.test")
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    shown = states_on_the_page(inbox.text)
    assert shown[fine.id] == "ok:On time"
    assert shown[near.id] == "near_breach:Near breach"
    assert shown[late.id] == "breached:Breached"

    at_risk = client.get("/inbox?sla=at_risk")
    assert at_risk.status_code == 200
    assert set(states_on_the_page(at_risk.text)) == {near.id, late.id}
    assert 'value="at_risk" selected' in at_risk.text
    # where a notice of breaches leads: those past a target only
    breached = client.get("/inbox?sla=breached")
    assert set(states_on_the_page(breached.text)) == {late.id}
    assert 'value="breached" selected' in breached.text
    assert set(states_on_the_page(client.get("/inbox?sla=whatever").text)) == {fine.id, near.id, late.id}

    page = client.get(f"/cases/{near.id}")
    assert 'data-sla-state="near_breach"' in page.text
    assert "Near breach" in page.text
    assert "First response due" in page.text  # the clock at risk is named, not only coloured


# --- the next-response clock --------------------------------------------------------------------------


def test_the_next_response_clock_runs_from_the_customers_new_message_until_our_reply(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, people: dict[str, dict[str, str]]
) -> None:
    ingest(
        session_factory,
        brand,
        [
            message("1", "mara", "@Skyways can I bring my cello on board as cabin baggage?", T0),
            message(
                "2",
                "Skyways",
                "@mara yes, with a seat booked for it",
                T0 + timedelta(minutes=30),
                direction="outbound",
                in_reply_to="1",
            ),
        ],
    )
    case = case_of(session_factory, "cello")
    with session_factory() as session:
        answered = case_sla_states(session, case_ids=[case.id], now=T0 + timedelta(hours=1))[case.id]
    assert answered.clock is not None
    assert answered.clock.target is Target.RESOLUTION  # nothing owed

    asked_again = T0 + timedelta(hours=2)
    ingest(
        session_factory,
        brand,
        [
            message(
                "3", "mara", "@Skyways and does the seat need its own ticket?", asked_again, in_reply_to="2"
            ),
            message("4", "mara", "@Skyways hello??", asked_again + timedelta(hours=1), in_reply_to="2"),
        ],
    )
    priority = Priority(case_of(session_factory, "cello").priority)
    allowed = DEFAULT_POLICY.next_response[priority]
    with session_factory() as session:
        near = case_sla_states(session, case_ids=[case.id], now=asked_again + allowed * 0.85)[case.id]
        late = case_sla_states(session, case_ids=[case.id], now=asked_again + allowed + timedelta(minutes=1))
    # the clock starts at the first unanswered message, not the latest nudge
    assert near.clock is not None
    assert near.clock.target is Target.NEXT_RESPONSE
    assert near.clock.started_at == asked_again
    assert near.state is SlaState.NEAR_BREACH
    assert late[case.id].state is SlaState.BREACHED

    # the runner escalates the missed next response once, although the raised priority shortens it
    breach = asked_again + allowed + timedelta(minutes=1)
    assert run_sla_round(session_factory, now=breach).escalated == [case.id]
    assert run_sla_round(session_factory, now=breach + timedelta(minutes=5)).escalated == []
    assert run_sla_round(session_factory, now=breach + timedelta(hours=1)).escalated == []
    with session_factory() as session:
        raised = session.get(Case, case.id)
        assert raised is not None
        assert raised.priority == max(Priority.URGENT, priority - 1)
        # the deadline it missed stands: the raised priority's shorter target does not move it
        # earlier, which would read the case as more overdue than the breach it escalated
        assert DEFAULT_POLICY.next_response[Priority(raised.priority)] < allowed
        missed = asked_again + allowed
        still = case_sla_states(session, case_ids=[case.id], now=breach + timedelta(hours=1))[case.id]
        assert still.clock is not None
        assert still.clock.due == missed
        assert still.state is SlaState.BREACHED
        assert as_utc(raised.next_response_due_at) == missed  # type: ignore[arg-type]

    # our reply stops the clock: only the resolution clock runs again
    ingest(
        session_factory,
        brand,
        [
            message(
                "5",
                "Skyways",
                "@mara no, the seat is on your booking",
                breach + timedelta(hours=2),
                direction="outbound",
                in_reply_to="4",
            )
        ],
    )
    with session_factory() as session:
        after = case_sla_states(session, case_ids=[case.id], now=breach + timedelta(hours=3))[case.id]
    assert after.clock is not None
    assert after.clock.target is Target.RESOLUTION


def _sla_order(client: TestClient, headers: dict[str, str]) -> list[tuple[int, str]]:
    """The open cases in the "SLA due" order of the API, with the deadline each shows."""
    answer = client.get("/api/v1/cases?sort=sla", headers=headers)
    assert answer.status_code == 200
    return [(item["id"], item["sla_due_at"]) for item in answer.json()["items"]]


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_the_nearest_deadline_order_follows_a_customer_who_wrote_again_until_we_answer(
    client: TestClient,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    people: dict[str, dict[str, str]],
) -> None:
    """A customer answered before who writes again is owed a reply within the next-response target
    (8 hours here): the inbox's "SLA due" order and column read that deadline, kept on the case by
    the runner's SLA round, not the resolution's a day away; our reply puts the case back in its
    resolution's place."""
    assert client.put("/api/v1/sla-policy", json=FLAT, headers=people["manager"]).status_code == 200
    now = utcnow().replace(microsecond=0)
    ingest(
        session_factory,
        brand,
        [
            message(
                "n1",
                "nadia",
                "@Skyways my refund for the cancelled Lisbon flight?",
                now - timedelta(hours=30),
            ),
            message(
                "n2",
                "Skyways",
                "@nadia it is on its way",
                now - timedelta(hours=29),
                direction="outbound",
                in_reply_to="n1",
            ),
            message("t1", "tomas", "@Skyways my stroller came back bent", now - timedelta(hours=40)),
            message(
                "t2",
                "Skyways",
                "@tomas sorry, we are on it",
                now - timedelta(hours=39),
                direction="outbound",
                in_reply_to="t1",
            ),
        ],
    )
    nadia, tomas = case_of(session_factory, "Lisbon"), case_of(session_factory, "stroller")
    # answered, both wait on their resolution (48 hours from opening): Tomas's is due first
    run_sla_round(session_factory, now=now)
    assert _sla_order(client, people["agent"]) == [
        (tomas.id, _at(now + timedelta(hours=8))),
        (nadia.id, _at(now + timedelta(hours=18))),
    ]

    asked_again = now - timedelta(hours=1)
    ingest(
        session_factory,
        brand,
        [message("n3", "nadia", "@Skyways still nothing on my card", asked_again, in_reply_to="n2")],
    )
    run_sla_round(session_factory, now=now)
    # she is owed a reply within 8 hours of writing: 7 from now, before Tomas's resolution
    assert _sla_order(client, people["agent"]) == [
        (nadia.id, _at(asked_again + timedelta(hours=8))),
        (tomas.id, _at(now + timedelta(hours=8))),
    ]
    sign_in(client, "agent@skyways.test")
    page = client.get("/inbox?sort=sla")
    assert page.status_code == 200
    assert list(states_on_the_page(page.text)) == [nadia.id, tomas.id]

    ingest(
        session_factory,
        brand,
        [
            message(
                "n4",
                "Skyways",
                "@nadia it reached your bank today",
                now - timedelta(minutes=5),
                direction="outbound",
                in_reply_to="n3",
            )
        ],
    )
    run_sla_round(session_factory, now=now)
    assert _sla_order(client, people["agent"]) == [
        (tomas.id, _at(now + timedelta(hours=8))),
        (nadia.id, _at(now + timedelta(hours=18))),
    ]
    with session_factory() as session:
        assert session.get(Case, nadia.id).next_response_due_at is None  # type: ignore[union-attr]


# --- breaches on the alert channels ------------------------------------------------------------------


@pytest.fixture
def webhook_posts() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A Slack-style incoming webhook on loopback; yields its URL and what it received."""
    received: list[dict[str, Any]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/desk-leads", received
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_breach_goes_once_to_the_brands_webhook_with_the_case_link_and_to_managers_in_the_app(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    people: dict[str, dict[str, str]],
    webhook_posts: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    url, received = webhook_posts
    incidents.add_channel(session, brand_id=brand.id, name="Desk leads", kind=AlertKind.WEBHOOK, target=url)
    session.commit()
    ingest(session_factory, brand, [message("1", "ines", "@Skyways my refund has not come", T0)])
    case = case_of(session_factory, "refund")
    assert case.first_response_due_at is not None
    breach = case.first_response_due_at + timedelta(minutes=1)
    settings = Settings(data_dir=tmp_path, alerts_public_url="https://desk.skyways.test")

    for minutes in (0, 5, 60):  # three runner rounds: the breach is claimed and queued once
        run_sla_round(session_factory, now=breach + timedelta(minutes=minutes))
        deliver_due_alerts(
            session_factory, settings=settings, now=lambda m=minutes: breach + timedelta(minutes=m)
        )

    assert len(received) == 1, received
    text = received[0]["text"]
    assert f"case #{case.id} missed its first-response target" in text
    assert f"https://desk.skyways.test/cases/{case.id}" in text
    assert "refund" not in text  # no customer words leave the desk
    with session_factory() as check:
        alert = check.scalars(select(Alert).where(Alert.case_id == case.id)).one()
        assert alert.status is AlertStatus.SENT
        assert alert.incident_id is None
        manager = check.scalars(select(User).where(User.email == "manager@skyways.test")).one()
        told = check.scalars(select(Notification).where(Notification.user_id == manager.id)).all()
        assert [n.kind for n in told] == ["sla_breached"]

    # the agent is not told of the breach here; the page says so and leads to their breached cases
    sign_in(client, "agent@skyways.test")
    empty = client.get("/notifications").text
    assert 'data-testid="no-notifications"' in empty
    assert "no case you answer for has breached" not in empty
    assert 'href="/inbox?assignee=me&amp;sla=breached"' in empty
    assert client.get("/inbox?assignee=me&sla=breached").status_code == 200
    client.cookies.clear()

    sign_in(client, "manager@skyways.test")
    page = client.get("/notifications")
    assert page.status_code == 200
    assert f"SLA breached: case #{case.id} missed its first-response target" in page.text
    assert f'href="/cases/{case.id}"' in page.text

    # a backlog breaching in one sweep reads as one line with its count, each case a click away
    with session_factory.begin() as writing:
        for n in range(4):
            notify(
                writing,
                brand_id=case.brand_id,
                user_ids=[manager.id],
                kind="sla_breached",
                text=f"SLA breached: case {n}",
                path=f"/cases/{case.id}",
                now=utcnow(),
            )
    page = client.get("/notifications").text
    assert "4 cases breached their SLA" in page  # the sweep's four; the first breach came earlier
    assert page.count('data-testid="notification"') == 2


# --- task reminders ----------------------------------------------------------------------------------


def test_an_overdue_task_reminds_its_team_and_its_person_once_and_shows_overdue(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    people: dict[str, dict[str, str]],
) -> None:
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    members = {}
    for email in ("bea@skyways.test", "bo@skyways.test", "outsider@skyways.test"):
        user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
        accounts.add_membership(session, user=user, brand=brand, role=Role.AGENT)
        members[email] = user
    session.add(TeamMember(team_id=billing.id, user_id=members["bea@skyways.test"].id, created_at=T0))
    session.commit()
    ingest(session_factory, brand, [message("1", "ines", "@Skyways charged twice for one seat", T0)])
    case = case_of(session_factory, "charged twice")
    due = utcnow() - timedelta(minutes=5)  # already past, so the Tasks page lists it overdue too
    created = client.post(
        f"/api/v1/cases/{case.id}/tasks",
        json={
            "team_id": billing.id,
            "title": "Refund the second charge",
            "due_at": due.isoformat(),
            "assignee_id": members["bo@skyways.test"].id,
        },
        headers=people["agent"],
    )
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]

    assert remind_overdue_tasks(session_factory, now=due - timedelta(minutes=1)).reminded == []  # not yet
    assert remind_overdue_tasks(session_factory, now=due + timedelta(minutes=1)).reminded == [task_id]
    assert remind_overdue_tasks(session_factory, now=due + timedelta(hours=2)).reminded == []  # once

    with session_factory() as check:
        told = check.execute(select(Notification.user_id, Notification.kind, Notification.text)).all()
    assert {user_id for user_id, _, _ in told} == {
        members["bea@skyways.test"].id,
        members["bo@skyways.test"].id,
    }
    assert all(kind == "task_overdue" and "Refund the second charge" in text for _, kind, text in told)

    events = client.get(f"/api/v1/cases/{case.id}/events", headers=people["agent"]).json()
    reminded = [e for e in events if e["kind"] == "task.reminded"]
    assert len(reminded) == 1
    assert reminded[0]["summary"] == "Task for Billing is overdue: Refund the second charge · told 2 people"

    sign_in(client, "bea@skyways.test")
    queue = client.get(f"/tasks?team={billing.id}").text
    # every page's menu says a notification waits, so it is not left unseen under "More"
    assert 'data-testid="unread-count" title="1 unread notification"' in queue
    assert '>Notifications <span class="nav-count">1</span></a>' in queue
    overdue = queue.split('data-testid="tasks-overdue"', 1)[1].split("</section>", 1)[0]
    assert "Refund the second charge" in overdue
    assert 'data-testid="task-reminded"' in overdue
    mine = client.get("/notifications")
    assert "Overdue task for Billing: Refund the second charge" in mine.text
    assert f'href="/tasks?team={billing.id}"' in mine.text
    assert client.post("/notifications/read", data={"csrf_token": csrf(client)}).status_code == 303
    read = client.get("/notifications").text
    assert 'badge">New' not in read
    assert 'data-testid="unread-count"' not in read


def csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/notifications").text)
    assert found
    return found.group(1)


# --- tasks over the API -----------------------------------------------------------------------------


def test_tasks_are_listed_per_brand_and_on_their_case(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    people: dict[str, dict[str, str]],
) -> None:
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    other = accounts.create_brand(session, slug="larkspur", name="Larkspur")
    other_team = accounts.create_team(session, brand=other, slug="ops", name="Ops", is_default=True)
    session.commit()
    other_agent = token_for(session, other, "agent@larkspur.test", Role.AGENT)
    ingest(session_factory, brand, [message("1", "ines", "@Skyways charged twice for one seat", T0)])
    ingest(session_factory, other, [message("9", "kai", "@Larkspur lost my booking", T0)])
    ours, theirs = case_of(session_factory, "charged twice"), case_of(session_factory, "lost my booking")

    def ask(case: Case, team_id: int, title: str, headers: dict[str, str]) -> int:
        answer = client.post(
            f"/api/v1/cases/{case.id}/tasks", json={"team_id": team_id, "title": title}, headers=headers
        )
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    refund = ask(ours, billing.id, "Refund the second charge", people["agent"])
    check = ask(ours, team.id, "Check the seat map", people["agent"])
    foreign = ask(theirs, other_team.id, "Find the booking", other_agent)
    done = client.post(
        f"/api/v1/tasks/{check}/status", json={"status": "done", "note": "seat 14C"}, headers=people["agent"]
    )
    assert done.status_code == 200, done.text

    listed = client.get("/api/v1/tasks", headers=people["agent"])
    assert listed.status_code == 200, listed.text
    assert {t["id"] for t in listed.json()} == {refund, check}  # not the other brand's
    open_billing = client.get(
        f"/api/v1/tasks?team_id={billing.id}&status=open", headers=people["agent"]
    ).json()
    assert [(t["id"], t["status"], t["team_id"]) for t in open_billing] == [(refund, "open", billing.id)]
    assert [t["id"] for t in client.get("/api/v1/tasks?status=done", headers=people["agent"]).json()] == [
        check
    ]
    assert client.get(f"/api/v1/tasks?team_id={other_team.id}", headers=people["agent"]).status_code == 404
    assert client.get("/api/v1/tasks?status=lost", headers=people["agent"]).status_code == 422
    assert client.get("/api/v1/tasks?brand=larkspur", headers=people["agent"]).status_code == 404
    assert (
        client.post(
            f"/api/v1/tasks/{foreign}/status", json={"status": "done"}, headers=people["agent"]
        ).status_code
        == 404
    )

    detail = client.get(f"/api/v1/cases/{ours.id}", headers=people["agent"]).json()
    assert [(t["id"], t["title"], t["status"]) for t in detail["tasks"]] == [
        (refund, "Refund the second charge", "open"),
        (check, "Check the seat map", "done"),
    ]
    assert client.get(f"/api/v1/cases/{theirs.id}", headers=people["agent"]).status_code == 404
