"""PR sees what Ombuds proposes as problems and settles it on /problems; the owning team finds its
problems on its Tasks page; an agent links a case from the case page; new cases in a fixed
problem's category reopen it."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.events import Event
from ombuds.pipeline.stages import detect
from ombuds.problems import actions
from ombuds.problems.models import Problem
from ombuds.problems.values import ProblemStatus
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found
    return found.group(1)


def _refund_case(
    session: Session, brand: Brand, handle: str, *, days_ago: float, team: Team | None = None
) -> Case:
    case = add_case(
        session,
        brand=brand,
        subject=f"Refund for {handle}",
        handle=handle,
        opened_hours_ago=24 * days_ago,
        team=team,
    )
    add_mention(
        session,
        case=case,
        text="My refund never came",
        at=case.opened_at,
        findings={"category": {"label": "refund_delay"}, "sentiment": {"label": "negative"}},
    )
    return case


def test_pr_confirms_a_growing_category_as_billings_problem_and_billing_sees_it_in_its_queue(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Billing")
    for email, role in (("pia@skyways.test", Role.PR), ("ada@skyways.test", Role.AGENT)):
        user = accounts.create_user(session, email=email, name=email[:3].title(), password=PASSWORD)
        accounts.add_membership(session, user=user, brand=brand, role=role)
    for i in range(5):  # three already with billing, one with the default team
        _refund_case(
            session, brand, f"new{i}", days_ago=1 + i, team=[billing, billing, billing, team, None][i]
        )
    _refund_case(session, brand, "old", days_ago=10)  # one the week before: five is growth
    extra = _refund_case(session, brand, "late", days_ago=30)  # too old for the week: linked by hand
    session.commit()

    sign_in(client, "ada@skyways.test")
    assert "proposal" not in client.get("/problems").text  # agents do not settle proposals
    client.cookies.clear()
    sign_in(client, "pia@skyways.test")
    page = client.get("/problems")
    assert 'data-key="category:refund_delay"' in page.text
    assert "5 open cases about refund delay this week, 1 the week before" in page.text
    # the owner offered is the team that holds most of its cases, not the first team listed
    assert f'<option value="{billing.id}" selected>Billing (holds most of its cases)</option>' in page.text
    confirmed = client.post(
        "/problems/proposals/confirm",
        data={
            "csrf_token": _csrf(page.text),
            "key": "category:refund_delay",
            "owner_team_id": str(billing.id),
            "title": "Refund batch job stuck",
        },
    )
    assert confirmed.status_code == 303, confirmed.text
    problem = session.scalars(select(Problem)).one()
    assert (problem.title, problem.owner_team_id, problem.proposal_key) == (
        "Refund batch job stuck",
        billing.id,
        "category:refund_delay",
    )
    assert 'data-key="category:refund_delay"' not in client.get("/problems").text  # settled
    edited = client.post(
        f"/problems/{problem.id}",
        data={
            "csrf_token": _csrf(page.text),
            "title": "Refund batch job stuck",
            "fix_message": "Hi {customer_name}, refunds are flowing again. (Ref {case_ref})",
            "expected_fix_on": "2030-01-31",
        },
    )
    assert edited.status_code == 303
    session.expire_all()
    assert problem.fix_message == "Hi {customer_name}, refunds are flowing again. (Ref {case_ref})"
    assert problem.expected_fix_at is not None
    assert problem.expected_fix_at.date().isoformat() == "2030-01-31"

    # the agent links the older case from its page; Billing's Tasks page lists the problem with its cost
    client.cookies.clear()
    sign_in(client, "ada@skyways.test")
    case_page = client.get(f"/cases/{extra.id}")
    assert "Refund batch job stuck" in case_page.text
    # nothing is chosen for the agent: one click on Link must not tie the case to a wrong cause
    choice = re.search(r'<select id="case-problem-choice".*?</select>', case_page.text, re.S)
    assert choice is not None
    assert '<option value="" selected>Choose the problem…</option>' in choice.group(0)
    unchosen = client.post(
        f"/cases/{extra.id}/problem", data={"csrf_token": _csrf(case_page.text), "problem_id": ""}
    )
    assert unchosen.status_code == 303
    assert "Refund batch job stuck" not in re.sub(
        r"<select.*?</select>", "", client.get(f"/cases/{extra.id}").text, flags=re.S
    )
    linked = client.post(
        f"/cases/{extra.id}/problem",
        data={"csrf_token": _csrf(case_page.text), "problem_id": str(problem.id)},
    )
    assert linked.status_code == 303
    assert f'href="/problems/{problem.id}"' in client.get(f"/cases/{extra.id}").text
    queue = client.get(f"/tasks?team={billing.id}").text
    row = re.search(r'data-testid="problem-row" data-problem-id="(\d+)">(.*?)</tr>', queue, re.S)
    assert row is not None
    assert row.group(1) == str(problem.id)
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", cell).strip()
        for cell in re.findall(r"<td>(.*?)</td>", row.group(2), re.S)
    ]
    assert cells[2:5] == ["Billing", "6", "720"]  # owner, cases, reach (120 followers each)
    assert float(cells[5]) > 0  # experience debt: six unresolved negative experiences
    assert 'data-testid="team-problems"' not in client.get(f"/tasks?team={team.id}").text  # Care owns none


def test_three_new_cases_in_a_fixed_problems_category_reopen_it(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    pr = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
    first = _refund_case(session, brand, "ann", days_ago=2)
    problem = actions.create_problem(
        session,
        brand_id=brand.id,
        title="Refunds stuck",
        owner_team_id=team.id,
        case_ids=[first.id],
        actor=Actor(pr),
        now=NOW,
    )
    actions.set_status(
        session, problem=problem, status=ProblemStatus.FIXED, note=None, actor=Actor(pr), now=NOW
    )
    session.commit()
    for count, handle in enumerate(("bo", "cy", "dee"), start=1):
        later = add_case(
            session, brand=brand, subject=f"Refund {handle}", handle=handle, opened_hours_ago=-count
        )
        message = add_mention(
            session,
            case=later,
            text="Refund missing",
            at=NOW + timedelta(hours=count),
            findings={"category": {"label": "refund_delay"}, "sentiment": {"label": "negative"}},
        )
        detect(session, [message], NOW + timedelta(hours=count))
        assert problem.status is (ProblemStatus.INVESTIGATING if count == 3 else ProblemStatus.FIXED)
    reason = session.scalars(select(Event.data).where(Event.kind == "problem.reopened")).one()["reason"]
    assert reason == "3 or more new cases about refund_delay since the fix"

    # The page no longer says "fixed": it says the fix did not hold, and the history says why.
    session.commit()
    sign_in(client, "pia@skyways.test")
    page = client.get(f"/problems/{problem.id}").text
    assert 'data-testid="fix-did-not-hold">the fix of' in page
    assert " · fixed " not in page
    assert "Status changed: Investigating → Fixed" in page


def test_an_expected_fix_day_in_year_1_or_9999_is_refused_and_the_problem_keeps_its_date(
    client: TestClient, session: Session, brand: Brand, team: Team
) -> None:
    pr = accounts.create_user(session, email="pia@skyways.test", name="Pia", password=PASSWORD)
    accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
    case = _refund_case(session, brand, "ann", days_ago=1)
    problem = actions.create_problem(
        session,
        brand_id=brand.id,
        title="Refunds stuck",
        owner_team_id=team.id,
        case_ids=[case.id],
        actor=Actor(pr),
        now=NOW,
    )
    session.commit()
    sign_in(client, pr.email)
    page = client.get(f"/problems/{problem.id}").text

    for day in ("0001-01-01", "9999-12-31"):
        edited = client.post(
            f"/problems/{problem.id}",
            data={"csrf_token": _csrf(page), "title": "Refunds stuck", "expected_fix_on": day},
        )

        assert edited.status_code == 303
        assert (
            "Expected_fix_on: must be in the years 1970 to 2100."
            in client.get(edited.headers["location"]).text
        )
    session.expire_all()
    assert problem.expected_fix_at is None
