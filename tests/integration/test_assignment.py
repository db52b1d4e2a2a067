"""Team queues with automatic assignment: messages go through the real pipeline, cases land with
people of the team by its policy (round robin, least loaded), within capacity and by skills; an away
agent's cases go back to the queue; each handoff between people or teams counts once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import AssignmentPolicy, Brand, Role, Team, User
from ombuds.cases.actions import set_case_status
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.db import transaction
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.actions import create_rule
from ombuds.routing.assignment_actions import (
    WorkProfile,
    add_team_member,
    set_team_assignment,
    set_work_profile,
)
from ombuds.routing.sla_actions import run_sla_round
from tests.integration.test_resolutions_api import PASSWORD
from tests.integration.test_web_cases import sign_in

START = datetime.now(UTC) - timedelta(hours=2)


def person(session: Session, brand: Brand, name: str, role: Role = Role.AGENT) -> tuple[User, dict[str, str]]:
    """A member of the brand and a bearer token that acts for them."""
    user = accounts.create_user(session, email=f"{name.lower()}@skyways.test", name=name, password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    _, token = accounts.create_api_token(session, brand=brand, name=name, user=user)
    session.commit()
    return user, {"Authorization": f"Bearer {token}"}


def staff(
    session: Session,
    team: Team,
    policy: AssignmentPolicy,
    members: dict[str, WorkProfile],
) -> dict[str, User]:
    """People of the team's brand in the team, with their profiles, and the team's policy."""
    brand = session.get(Brand, team.brand_id)
    assert brand is not None
    people = {}
    for name, profile in members.items():
        user, _ = person(session, brand, name)
        add_team_member(session, team=team, user=user, actor=None, at=utcnow())
        set_work_profile(session, brand_id=brand.id, user=user, profile=profile, actor=None, at=utcnow())
        people[name] = user
    set_team_assignment(session, team=team, policy=policy, actor=None, at=utcnow())
    session.commit()
    return people


def write_in(
    factory: sessionmaker[Session], brand: Brand, messages: list[tuple[str, str]], *, start: int = 0
) -> None:
    """Customers' messages (author, text), a minute apart, through ingest and the whole pipeline."""
    incoming = []
    for number, (author, text) in enumerate(messages, start=start):
        created = MentionCreate(
            external_id=f"m{number}",
            author=author,
            text=text,
            created_at=START + timedelta(minutes=number),
            channel="x",
        )
        incoming.append(
            IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")
        )
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=incoming)
    assert run_until_idle(factory).failed == 0


def owners(factory: sessionmaker[Session]) -> list[int | None]:
    """Each case's assignee, oldest case first."""
    with factory() as session:
        return list(session.scalars(select(Case.assignee_id).order_by(Case.id)))


def case_of(factory: sessionmaker[Session], author_number: int) -> Case:
    with factory() as session:
        case = session.scalars(select(Case).order_by(Case.id)).all()[author_number]
        session.expunge(case)
        return case


def history(factory: sessionmaker[Session], case_id: int, kind: str) -> list[dict[str, Any]]:
    with factory() as session:
        return [
            dict(event.data)
            for event in session.scalars(
                select(Event)
                .where(Event.subject_id == case_id, Event.subject_type == "case", Event.kind == kind)
                .order_by(Event.id)
            )
        ]


COMPLAINTS = [
    (f"customer{n}", f"@Skyways my flight {n} was delayed again and nobody at the gate told us anything")
    for n in range(5)
]


def test_round_robin_gives_each_member_a_case_in_turn(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    people = staff(
        session,
        team,
        AssignmentPolicy.ROUND_ROBIN,
        {"Ann": WorkProfile(), "Ben": WorkProfile(), "Cat": WorkProfile()},
    )
    write_in(session_factory, brand, COMPLAINTS)
    ann, ben, cat = people["Ann"].id, people["Ben"].id, people["Cat"].id
    assert owners(session_factory) == [ann, ben, cat, ann, ben]
    first = case_of(session_factory, 0)
    assert history(session_factory, first.id, "case.assigned") == [
        {"from": None, "to": ann, "reason": "round robin in Care"}
    ]
    assert first.handoffs == 0, "the first assignment is no handoff"


def test_least_loaded_gives_cases_to_whoever_has_fewest_open(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    people = staff(session, team, AssignmentPolicy.MANUAL, {"Ann": WorkProfile(), "Ben": WorkProfile()})
    write_in(session_factory, brand, COMPLAINTS[:2])
    assert owners(session_factory) == [None, None], "a manual team's cases wait in its queue"
    with transaction(session_factory) as work:
        for case in work.scalars(select(Case)):
            case.assignee_id = people["Ann"].id  # Ann already has two open cases
    set_team_assignment(session, team=team, policy=AssignmentPolicy.LEAST_LOADED, actor=None, at=utcnow())
    session.commit()
    write_in(session_factory, brand, COMPLAINTS[2:], start=2)
    ann, ben = people["Ann"].id, people["Ben"].id
    # Ben (0) and Ben (1) catch up with Ann (2); at 2 each, the tie goes to whoever is next in turn
    assert owners(session_factory) == [ann, ann, ben, ben, ann]
    assert (
        "least loaded (0 open cases) in Care"
        in history(session_factory, case_of(session_factory, 2).id, "case.assigned")[0]["reason"]
    )


def test_a_full_team_leaves_the_case_unassigned_in_its_queue(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    people = staff(
        session,
        team,
        AssignmentPolicy.ROUND_ROBIN,
        {"Ann": WorkProfile(capacity=1), "Ben": WorkProfile(capacity=1)},
    )
    write_in(session_factory, brand, COMPLAINTS[:3])
    assert owners(session_factory) == [people["Ann"].id, people["Ben"].id, None]
    waiting = case_of(session_factory, 2)
    assert waiting.team_id == team.id, "it waits in the team's queue"
    assert history(session_factory, waiting.id, "case.assigned") == []


def test_a_spanish_case_goes_to_the_spanish_speaker(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    people = staff(
        session,
        team,
        AssignmentPolicy.ROUND_ROBIN,
        {"Ann": WorkProfile(languages=("en",)), "Sofia": WorkProfile(languages=("en", "es"))},
    )
    write_in(
        session_factory,
        brand,
        [
            (
                "lucia",
                "@Skyways mi vuelo fue cancelado y nadie me ha devuelto el dinero todavía, necesito ayuda",
            ),
            ("mara", "@Skyways hello, my flight was cancelled and I still have not got my money back"),
        ],
    )
    assert owners(session_factory) == [people["Sofia"].id, people["Ann"].id]


def test_an_away_agent_s_open_cases_go_back_to_the_queue_and_to_a_colleague(
    session: Session,
    session_factory: sessionmaker[Session],
    client: TestClient,
    brand: Brand,
    team: Team,
) -> None:
    people = staff(session, team, AssignmentPolicy.ROUND_ROBIN, {"Ann": WorkProfile(), "Ben": WorkProfile()})
    _, ann_token = accounts.create_api_token(session, brand=brand, name="Ann's", user=people["Ann"])
    session.commit()
    ann_headers = {"Authorization": f"Bearer {ann_token}"}
    write_in(session_factory, brand, COMPLAINTS[:4])
    ann, ben = people["Ann"].id, people["Ben"].id
    assert owners(session_factory) == [ann, ben, ann, ben]
    parked = case_of(session_factory, 2)
    with transaction(session_factory) as work:
        row = work.get(Case, parked.id)
        assert row is not None
        set_case_status(work, case=row, status=CaseStatus.PENDING, at=utcnow())

    away = client.post(f"/api/v1/people/{ann}/away", headers=ann_headers)
    assert away.status_code == 200, away.text
    assert away.json() == {
        "user_id": ann,
        "away": True,
        "returned_case_ids": [case_of(session_factory, 0).id],
    }
    assert owners(session_factory) == [ben, ben, ann, ben], "the pending case waits for Ann"
    moved = case_of(session_factory, 0)
    assert moved.handoffs == 1
    assert (
        history(session_factory, moved.id, "case.assigned")[-1]["reason"]
        == "Ann is away; round robin in Care"
    )

    members = client.get(f"/api/v1/teams/{team.id}/members", headers=ann_headers).json()
    assert [(m["name"], m["away"], m["load"]) for m in members] == [("Ann", True, 1), ("Ben", False, 3)]
    write_in(
        session_factory,
        brand,
        [("customer2", "@Skyways any news? I am still waiting for an answer")],
        start=10,
    )
    assert owners(session_factory)[2] == ben, "the customer wrote again: it does not wait for Ann"
    assert case_of(session_factory, 2).handoffs == 1
    write_in(
        session_factory, brand, [("late", "@Skyways my bag did not arrive on the flight from Oslo")], start=4
    )
    assert owners(session_factory)[-1] == ben, "nobody gives an away agent new cases"

    back = client.post(f"/api/v1/people/{ann}/back", headers=ann_headers)
    assert back.status_code == 200, back.text
    write_in(
        session_factory, brand, [("later", "@Skyways the seat I paid for was given to someone else")], start=5
    )
    assert owners(session_factory)[-1] == ann, "back, Ann gets cases again"


def test_when_nobody_else_is_in_an_away_agent_s_cases_wait_unassigned(
    session: Session, session_factory: sessionmaker[Session], client: TestClient, brand: Brand, team: Team
) -> None:
    people = staff(session, team, AssignmentPolicy.LEAST_LOADED, {"Ann": WorkProfile()})
    _, manager = person(session, brand, "Morgan", Role.MANAGER)
    write_in(session_factory, brand, COMPLAINTS[:2])
    ann = people["Ann"].id
    assert owners(session_factory) == [ann, ann]
    away = client.post(f"/api/v1/people/{ann}/away", headers=manager)
    assert away.status_code == 200, away.text
    assert owners(session_factory) == [None, None]
    returned = case_of(session_factory, 0)
    assert returned.team_id == team.id
    assert returned.handoffs == 1, "leaving its owner for the queue is a handoff"
    assert history(session_factory, returned.id, "case.assigned")[-1] == {
        "from": ann,
        "to": None,
        "reason": "Ann is away; back to the team's queue",
    }


def test_each_handoff_between_people_or_teams_counts_once(
    session: Session, session_factory: sessionmaker[Session], client: TestClient, brand: Brand, team: Team
) -> None:
    people = staff(session, team, AssignmentPolicy.ROUND_ROBIN, {"Ann": WorkProfile(), "Ben": WorkProfile()})
    legal = accounts.create_team(session, brand=brand, slug="legal", name="Legal")
    duty = accounts.create_team(session, brand=brand, slug="duty", name="Duty managers")
    session.commit()
    lawyers = staff(session, legal, AssignmentPolicy.ROUND_ROBIN, {"Lee": WorkProfile()})
    managers = staff(session, duty, AssignmentPolicy.LEAST_LOADED, {"Dana": WorkProfile()})
    create_rule(
        session, brand_id=brand.id, name="Legal threats to Legal", team=legal, signals=("legal_threat",)
    )
    session.commit()
    _, manager = person(session, brand, "Morgan", Role.MANAGER)

    def handoffs(case_id: int) -> int:
        answer = client.get(f"/api/v1/cases/{case_id}", headers=manager)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["handoffs"])

    write_in(
        session_factory,
        brand,
        [("mara", "@Skyways my bag never arrived in Oslo and nobody answers the phone")],
    )
    case = case_of(session_factory, 0)
    assert (case.team_id, case.assignee_id, handoffs(case.id)) == (team.id, people["Ann"].id, 0)

    # a person gives it to a colleague: one
    given = client.post(
        f"/api/v1/cases/{case.id}/assignee", json={"assignee_id": people["Ben"].id}, headers=manager
    )
    assert given.status_code == 200, given.text
    assert handoffs(case.id) == 1

    # the customer threatens to sue: routing moves it to Legal, where Lee gets it; one more, not two
    write_in(
        session_factory,
        brand,
        [("mara", "@Skyways I will sue you over this, my lawyer has the receipts")],
        start=1,
    )
    case = case_of(session_factory, 0)
    assert (case.team_id, case.assignee_id, handoffs(case.id)) == (legal.id, lawyers["Lee"].id, 2)

    # the deadline passes: escalation moves it to the duty managers, where Dana gets it; one more
    policy = client.put(
        "/api/v1/sla-policy",
        json={
            "timezone": "UTC",
            "hours": {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "holidays": [],
            "targets": {
                "first_response": {"urgent": 30, "high": 60, "normal": 120, "low": 240},
                "resolution": {"urgent": 240, "high": 480, "normal": 960, "low": 2400},
            },
            "move_to_team_id": duty.id,
        },
        headers=manager,
    )
    assert policy.status_code == 200, policy.text
    escalated = run_sla_round(session_factory, now=utcnow() + timedelta(days=30))
    assert case.id in escalated.escalated
    case = case_of(session_factory, 0)
    assert (case.team_id, case.assignee_id, handoffs(case.id)) == (duty.id, managers["Dana"].id, 3)

    # Dana goes away and nobody else is on duty: back to the queue, one more
    assert client.post(f"/api/v1/people/{managers['Dana'].id}/away", headers=manager).status_code == 200
    case = case_of(session_factory, 0)
    assert (case.team_id, case.assignee_id, handoffs(case.id)) == (duty.id, None, 4)


def test_managers_keep_the_team_and_others_read_it(
    session: Session, client: TestClient, brand: Brand, team: Team
) -> None:
    agent, agent_headers = person(session, brand, "Ann")
    colleague, _ = person(session, brand, "Ben")
    vic, viewer = person(session, brand, "Vic", Role.VIEWER)
    _, manager = person(session, brand, "Morgan", Role.MANAGER)
    other = accounts.create_brand(session, slug="elsewhere", name="Elsewhere")
    foreign = accounts.create_team(session, brand=other, slug="care", name="Their care")
    session.commit()

    refused = client.post(
        f"/api/v1/teams/{team.id}/members", json={"user_id": agent.id}, headers=agent_headers
    )
    assert refused.status_code == 403, refused.text
    assert "managers and admins" in refused.json()["detail"]
    added = client.post(f"/api/v1/teams/{team.id}/members", json={"user_id": agent.id}, headers=manager)
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Ann"
    assert (
        client.post(
            f"/api/v1/teams/{foreign.id}/members", json={"user_id": agent.id}, headers=manager
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/teams/{team.id}/members", json={"user_id": 999_999}, headers=manager
        ).status_code
        == 404
    )
    not_a_worker = client.post(f"/api/v1/teams/{team.id}/members", json={"user_id": vic.id}, headers=manager)
    assert not_a_worker.status_code == 422
    assert "viewer" in not_a_worker.json()["detail"]

    profile = client.put(
        f"/api/v1/people/{agent.id}/work-profile",
        json={"capacity": 8, "languages": ["es", "en"], "channels": [], "categories": ["Refunds"]},
        headers=manager,
    )
    assert profile.status_code == 200, profile.text
    assert (profile.json()["capacity"], profile.json()["languages"]) == (8, ["en", "es"])
    assert (
        client.put(
            f"/api/v1/people/{agent.id}/work-profile", json={"capacity": -1}, headers=manager
        ).status_code
        == 422
    )
    policy = client.put(
        f"/api/v1/teams/{team.id}/assignment", json={"assignment": "least_loaded"}, headers=manager
    )
    assert policy.status_code == 200, policy.text
    assert policy.json()["assignment"] == "least_loaded"
    assert (
        client.put(
            f"/api/v1/teams/{team.id}/assignment", json={"assignment": "lottery"}, headers=manager
        ).status_code
        == 422
    )

    read = client.get(f"/api/v1/teams/{team.id}/members", headers=viewer)
    assert read.status_code == 200
    ann = next(m for m in read.json() if m["name"] == "Ann")
    assert (ann["capacity"], ann["categories"], ann["away"]) == (8, ["Refunds"], False)
    # an agent sets their own availability, not a colleague's
    assert client.post(f"/api/v1/people/{colleague.id}/away", headers=agent_headers).status_code == 403
    assert client.post(f"/api/v1/people/{agent.id}/away", headers=agent_headers).status_code == 200
    assert client.post(f"/api/v1/people/{agent.id}/away", headers=viewer).status_code == 403
    removed = client.delete(f"/api/v1/teams/{team.id}/members/{agent.id}", headers=manager)
    assert removed.status_code == 204
    assert client.delete(f"/api/v1/teams/{team.id}/members/{agent.id}", headers=manager).status_code == 404


def test_the_team_page_shows_load_and_lets_an_agent_step_away(
    session: Session, session_factory: sessionmaker[Session], client: TestClient, brand: Brand, team: Team
) -> None:
    people = staff(
        session,
        team,
        AssignmentPolicy.ROUND_ROBIN,
        {"Ann": WorkProfile(capacity=5, languages=("en", "es")), "Ben": WorkProfile()},
    )
    write_in(session_factory, brand, COMPLAINTS[:3])
    sign_in(client, "ann@skyways.test")
    page = client.get(f"/team?team={team.id}")
    assert page.status_code == 200, page.text
    rows = dict(
        re.findall(r'data-testid="team-member" data-user-id="(\d+)">(.*?)</tr>', page.text, flags=re.DOTALL)
    )
    ann, ben = rows[str(people["Ann"].id)], rows[str(people["Ben"].id)]
    assert "<td>2</td>" in ann, "two open cases"
    assert "<td>5</td>" in ann, "capacity"
    assert "en, es" in ann
    assert "<td>1</td>" in ben
    assert "no limit" in ben
    assert "Round robin" in page.text
    assert "/away" in ann
    assert "/away" not in ben, "an agent sets only their own availability"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    stepped = client.post(
        f"/team/people/{people['Ann'].id}/away", data={"csrf_token": token.group(1), "team": str(team.id)}
    )
    assert stepped.status_code == 303
    after = client.get(stepped.headers["location"])
    assert "Ann is away; 2 open cases went back to the team queues." in after.text
    assert 'data-testid="member-away"' in after.text
    assert owners(session_factory) == [people["Ben"].id] * 3


@pytest.mark.parametrize("legal_has_members", [True, False], ids=["staffed", "unstaffed"])
def test_a_case_re_routed_to_a_team_that_assigns_by_hand_waits_in_its_queue(
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    legal_has_members: bool,
) -> None:
    people = staff(session, team, AssignmentPolicy.ROUND_ROBIN, {"Ann": WorkProfile()})
    legal = accounts.create_team(session, brand=brand, slug="legal", name="Legal")
    session.commit()
    staff(session, legal, AssignmentPolicy.MANUAL, {"Lee": WorkProfile()} if legal_has_members else {})
    create_rule(
        session, brand_id=brand.id, name="Legal threats to Legal", team=legal, signals=("legal_threat",)
    )
    session.commit()
    write_in(session_factory, brand, [("mara", "@Skyways my bag never arrived in Oslo and nobody answers")])
    write_in(
        session_factory, brand, [("mara", "@Skyways I will sue you over this, my lawyer is ready")], start=1
    )
    case = case_of(session_factory, 0)
    assert case.team_id == legal.id
    assert case.handoffs == 1
    if legal_has_members:
        assert case.assignee_id is None, "Legal's people take it from their queue"
    else:
        assert case.assignee_id == people["Ann"].id, "a team with nobody in it yet leaves the owner be"
