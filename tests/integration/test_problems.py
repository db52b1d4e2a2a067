"""A problem behind many cases: marked fixed, every linked customer gets a drafted reply; sending
them counts as told; a customer back with the same issue after the fix reopens the problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.events import Event
from ombuds.incidents import actions as incidents
from ombuds.mentions.models import Direction, Mention
from ombuds.pipeline.stages import detect
from ombuds.problems.models import Problem
from ombuds.responses.sending import deliver_due_replies
from ombuds.routing.assignment_actions import add_team_member
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, rival
from tests.support.moments import UNKEEPABLE_MOMENTS

__all__ = ["rival"]

LATE = {"category": {"label": "refund_delay"}, "sentiment": {"label": "negative"}}


def _member(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    return user


def _bearer(session: Session, brand: Brand, user: User) -> dict[str, str]:
    _, token = accounts.create_api_token(session, brand=brand, name=user.email, user=user)
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Desk:
    finance: Team
    cases: list[Case]
    headers: dict[str, dict[str, str]]  # bearer headers by person: pr, agent, clerk (of Finance)


@pytest.fixture
def desk(session: Session, brand: Brand, team: Team) -> Desk:
    """PR, an agent, and Finance (a team outside care) with one member; four customers' refund cases."""
    finance = accounts.create_team(session, brand=brand, slug="finance", name="Finance")
    pr = _member(session, brand, "pia@skyways.test", Role.PR)
    agent = _member(session, brand, "ada@skyways.test", Role.AGENT)
    clerk = _member(session, brand, "fin@skyways.test", Role.AGENT)
    add_team_member(session, team=finance, user=clerk, actor=None, at=NOW)
    cases = [
        add_case(session, brand=brand, subject=f"Refund {h}", handle=h, opened_hours_ago=48 - i, team=team)
        for i, h in enumerate(("ann", "bo", "cy", "dee"))
    ]
    for case in cases:
        add_mention(session, case=case, text="Where is my refund?", at=case.opened_at, findings=LATE)
    cases[2].status, cases[2].resolved_at = CaseStatus.RESOLVED, NOW - timedelta(days=5)
    cases[3].status, cases[3].resolved_at = CaseStatus.RESOLVED, NOW - timedelta(days=60)  # long ago
    headers = {
        name: _bearer(session, brand, user) for name, user in (("pr", pr), ("agent", agent), ("clerk", clerk))
    }
    session.commit()
    return Desk(finance=finance, cases=cases, headers=headers)


def test_a_fixed_problem_drafts_a_reply_to_each_customer_counts_them_told_and_reopens_when_one_comes_back(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    desk: Desk,
) -> None:
    finance, cases, headers = desk.finance, desk.cases, desk.headers
    ids = [c.id for c in cases]

    refused = client.post(
        "/api/v1/problems",
        json={"title": "Refund batch job stuck", "owner_team_id": finance.id, "case_ids": ids},
        headers=headers["agent"],
    )
    assert refused.status_code == 403, refused.text
    created = client.post(
        "/api/v1/problems",
        json={"title": "Refund batch job stuck", "owner_team_id": finance.id, "case_ids": ids},
        headers=headers["pr"],
    )
    assert created.status_code == 201, created.text
    problem = created.json()
    assert (problem["status"], problem["case_ids"], problem["category"]) == (
        "investigating",
        ids,
        "refund_delay",
    )
    url = f"/api/v1/problems/{problem['id']}"
    assert (
        client.get(f"/api/v1/cases/{ids[0]}", headers=headers["agent"]).json()["problem_id"] == problem["id"]
    )

    # Finance (not care) fixes it: three customers are to be told (the case resolved 60 days ago is not)
    fixed = client.post(
        url + "/status", json={"status": "fixed", "note": "Job restarted"}, headers=headers["clerk"]
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json() == {
        "id": problem["id"],
        "status": "fixed",
        "customers_to_tell": 3,
        "customers_told": 0,
    }
    drafts = {
        case_id: client.get(f"/api/v1/cases/{case_id}", headers=headers["agent"]).json()["drafts"]
        for case_id in ids
    }
    assert [len(drafts[i]) for i in ids] == [1, 1, 1, 0]
    assert {d[0]["status"] for d in list(drafts.values())[:3]} == {"draft"}
    assert drafts[ids[0]][0]["text"].startswith("Hi Ann, the problem behind your message has now been fixed.")
    again = client.post(url + "/status", json={"status": "fixed"}, headers=headers["clerk"])
    assert again.json()["customers_to_tell"] == 3  # no second draft for the same fix

    # the agent sends them; the outbox has no sink for X, so the agent posts them by hand
    sent = client.post(url + "/drafts/send", headers=headers["agent"]).json()["sent"]
    assert sorted(sent) == sorted(d[0]["id"] for d in list(drafts.values())[:3])
    assert client.get(url, headers=headers["pr"]).json()["customers_told"] == 0
    # sending stamps the replies with the real clock; NOW is when the suite imported its fixtures
    report = deliver_due_replies(session_factory, now=utcnow() + timedelta(minutes=1))
    assert sorted(report.manual) == sorted(sent)
    assert client.get(url, headers=headers["pr"]).json()["customers_told"] == 0, "told once posted"
    for reply_id in report.manual:
        posted = client.post(f"/api/v1/replies/{reply_id}/posted", headers=headers["agent"])
        assert posted.status_code == 200, posted.text
    told = client.get(url, headers=headers["pr"]).json()
    assert (told["customers_to_tell"], told["customers_told"], told["answered"], told["came_back"]) == (
        3,
        3,
        0,
        0,
    )

    # Ann thanks us (answered, not back); Bo writes about the refund again (answered, and back): it reopens
    session.expire_all()
    later = NOW + timedelta(hours=2)
    thanks = add_mention(
        session,
        case=session.get(Case, ids[0]),
        text="Got it, thanks!",
        at=later,
        findings={"category": {"label": "praise"}, "sentiment": {"label": "positive"}},
    )
    detect(session, [thanks], later)
    session.commit()
    assert client.get(url, headers=headers["pr"]).json()["status"] == "fixed"
    back = add_mention(
        session, case=session.get(Case, ids[1]), text="Still no refund!", at=later, findings=LATE
    )
    assert back.direction is Direction.INBOUND
    detect(session, [back], later)
    detect(session, [back], later)  # the stage again on the same message changes nothing more
    session.commit()
    reopened = client.get(url, headers=headers["pr"]).json()
    assert (reopened["status"], reopened["answered"], reopened["came_back"]) == ("investigating", 2, 1)
    why = session.scalars(
        select(Event.data).where(Event.kind == "problem.reopened", Event.subject_id == problem["id"])
    ).all()
    assert len(why) == 1
    assert why[0]["mention_id"] == back.id
    assert "wrote about it again" in why[0]["reason"]


def test_another_brands_problem_is_not_found_and_a_case_has_one_problem(
    client: TestClient, session: Session, brand: Brand, rival: Brand, desk: Desk
) -> None:
    finance, cases, headers = desk.finance, desk.cases, desk.headers
    theirs_team = accounts.create_team(session, brand=rival, slug="ops", name="Ops")
    boss = _member(session, rival, "boss@rival.test", Role.MANAGER)
    rival_headers = _bearer(session, rival, boss)
    session.commit()
    body = {"title": "Their problem", "owner_team_id": theirs_team.id, "case_ids": []}
    theirs = client.post("/api/v1/problems", json=body, headers=rival_headers).json()
    for method, path in (("get", ""), ("post", "/status")):
        answer = client.request(
            method, f"/api/v1/problems/{theirs['id']}{path}", json={"status": "fixed"}, headers=headers["pr"]
        )
        assert answer.status_code == 404, answer.text
    wrong_team = client.post(
        "/api/v1/problems", json={**body, "owner_team_id": theirs_team.id}, headers=headers["pr"]
    )
    assert wrong_team.status_code == 422
    assert "owner_team_id" in wrong_team.text

    mine = client.post(
        "/api/v1/problems",
        json={"title": "Refunds late", "owner_team_id": finance.id, "case_ids": [cases[0].id]},
        headers=headers["pr"],
    ).json()
    other = client.post(
        "/api/v1/problems",
        json={"title": "Also refunds", "owner_team_id": finance.id, "case_ids": [cases[0].id]},
        headers=headers["pr"],
    )
    assert other.status_code == 409
    assert f"problem {mine['id']}" in other.text
    linked = client.post(
        f"/api/v1/problems/{mine['id']}/cases", json={"case_id": cases[1].id}, headers=headers["agent"]
    )
    assert linked.json()["case_ids"] == [cases[0].id, cases[1].id]
    skipped = client.post(
        f"/api/v1/problems/{mine['id']}/status", json={"status": "verified"}, headers=headers["pr"]
    )
    assert skipped.status_code == 409
    assert "fix_in_progress" in skipped.text
    outsider = client.post(
        f"/api/v1/problems/{mine['id']}/status", json={"status": "fixed"}, headers=headers["agent"]
    )
    assert outsider.status_code == 403  # an agent outside Finance


def test_the_api_lists_proposals_to_pr_and_settles_them(
    client: TestClient, session: Session, brand: Brand, desk: Desk
) -> None:
    open_ids = [case.id for case in desk.cases[:2]]
    mention_ids = list(session.scalars(select(Mention.id).where(Mention.case_id.in_(open_ids))))
    incident = incidents.open_incident(
        session,
        brand_id=brand.id,
        title="Refund system down",
        actor_id=None,
        now=NOW,
        mention_ids=mention_ids,
    )
    session.commit()
    assert client.get("/api/v1/problems/proposals", headers=desk.headers["agent"]).status_code == 403
    proposals = client.get("/api/v1/problems/proposals", headers=desk.headers["pr"]).json()
    assert [(p["key"], p["case_ids"], p["incident_ids"]) for p in proposals] == [
        (f"incident:{incident.id}", open_ids, [incident.id])
    ]
    dismissed = client.post(
        "/api/v1/problems/proposals/dismiss",
        json={"key": f"incident:{incident.id}"},
        headers=desk.headers["pr"],
    )
    assert dismissed.status_code == 204
    assert client.get("/api/v1/problems/proposals", headers=desk.headers["pr"]).json() == []
    late = client.post(
        "/api/v1/problems/proposals/confirm",
        json={"key": f"incident:{incident.id}", "owner_team_id": desk.finance.id},
        headers=desk.headers["pr"],
    )
    assert late.status_code == 404
    assert "dismissed" in late.text


def test_an_expected_fix_date_with_no_utc_equivalent_or_no_time_zone_is_refused_naming_the_field(
    client: TestClient, session: Session, desk: Desk
) -> None:
    for value, says in UNKEEPABLE_MOMENTS.items():
        refused = client.post(
            "/api/v1/problems",
            json={
                "title": "Refund batch job stuck",
                "owner_team_id": desk.finance.id,
                "expected_fix_at": value,
            },
            headers=desk.headers["pr"],
        )

        assert refused.status_code == 422, (value, refused.text)
        assert [problem["loc"] for problem in refused.json()["detail"]] == [["body", "expected_fix_at"]]
        assert refused.json()["message"].startswith(f"“expected_fix_at” {says}")
    assert session.scalars(select(Problem)).all() == []
