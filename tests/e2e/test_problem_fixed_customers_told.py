"""PR confirms a problem Ombuds proposes (an incident's cases), Operations marks it fixed from its
Tasks page, and an agent sends the drafted fix messages: the problem counts the customers told,
and the ombudsman's report shows the fix and how many customers heard of it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Role
from ombuds.accounts.queries import get_brand_by_slug_or_raise
from ombuds.clock import utcnow
from ombuds.incidents import actions as incidents
from ombuds.mentions.models import Mention
from ombuds.responses.models import ReplyApprovalPolicy
from ombuds.responses.sending import deliver_due_replies
from ombuds.routing.assignment_actions import add_team_member
from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser

PIA = ("pia@skyways.test", "correct horse battery")  # PR
OLAF = ("olaf@skyways.test", "correct horse battery")  # Operations, a team outside care


@pytest.fixture
def storm(desk: SeededDesk, session_factory: sessionmaker[Session]) -> None:
    """Operations with one member, PR, and an incident over the lost bag's and the refund's cases."""
    with session_factory() as session:
        brand = get_brand_by_slug_or_raise(session, "skyways")
        operations = actions.create_team(session, brand=brand, slug="operations", name="Operations")
        for (email, password), name, role in ((PIA, "Pia PR", Role.PR), (OLAF, "Olaf Ops", Role.AGENT)):
            user = actions.create_user(session, email=email, name=name, password=password)
            actions.add_membership(session, user=user, brand=brand, role=role)
            if role is Role.AGENT:
                add_team_member(session, team=operations, user=user, actor=None, at=utcnow())
        case_ids = [desk.case("Bag lost").id, desk.case("Refund promised").id]
        mention_ids = list(session.scalars(select(Mention.id).where(Mention.case_id.in_(case_ids))))
        incidents.open_incident(
            session,
            brand_id=brand.id,
            title="Baggage and refunds system down",
            actor_id=None,
            now=utcnow(),
            mention_ids=mention_ids,
        )
        # this brand holds urgent public replies for PR, not every reply on a case of an open incident
        session.add(ReplyApprovalPolicy(brand_id=brand.id, on_active_incident=False))
        session.commit()


def sign_in(page: Page, email: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox(\?.*)?$"))


def test_pr_confirms_operations_fixes_and_an_agent_tells_the_customers(
    page: Page,
    live_server: str,
    desk: SeededDesk,
    storm: None,
    session_factory: sessionmaker[Session],
    artifacts_dir: Path,
) -> None:
    sign_in(page, *PIA)
    page.get_by_role("link", name="Problems").click()
    proposal = page.get_by_test_id("proposal")
    expect(proposal).to_contain_text("Baggage and refunds system down")
    expect(proposal).to_contain_text("2 open cases")
    proposal.get_by_label("Owned by").select_option(label="Operations")
    proposal.get_by_role("button", name="Confirm").click()
    expect(page.locator(".flash-success")).to_contain_text("Problem confirmed with 2 cases")
    expect(page.get_by_test_id("problem-case")).to_have_count(2)

    sign_in(page, *OLAF)
    page.get_by_role("link", name="Tasks").click()
    page.get_by_label("Team").select_option(label="Operations")
    page.get_by_role("button", name="Show").click()
    page.get_by_test_id("team-problems").get_by_role("link", name="Baggage and refunds system down").click()
    page.get_by_label("Note").fill("Baggage system restarted, refunds released")
    page.get_by_test_id("problem-to-fixed").click()
    expect(page.locator(".flash-success")).to_contain_text("drafted for 2 customers")
    # the urgent public case waits for PR (the brand's approval policy); the other for its agent
    expect(page.get_by_test_id("notice-status")).to_have_text(["draft", "awaiting approval"])

    sign_in(page, desk.email, desk.password)
    page.goto(f"/cases/{desk.case('Bag lost').id}")
    expect(page.get_by_test_id("reply-draft")).to_be_visible()
    page.get_by_test_id("case-problem").get_by_role("link", name="Baggage and refunds system down").click()
    page.get_by_test_id("send-drafts").click()
    expect(page.locator(".flash-success")).to_contain_text("1 fix message queued")

    deliver_due_replies(session_factory, now=utcnow() + timedelta(seconds=1))  # the runner's outbox round
    page.reload()
    # no connector sends on the case's channel here: nobody is told until the agent posts it by hand
    expect(page.get_by_test_id("problem-tally")).to_contain_text("0 of 2 customers told")
    expect(page.get_by_test_id("notice-status").first).to_have_text("to be posted by hand")
    page.get_by_test_id("notice").first.get_by_role("link").click()
    page.get_by_test_id("reply-mark-posted").click()
    expect(page.locator(".flash-success")).to_contain_text("Reply marked posted")
    page.go_back()
    page.go_back()
    page.reload()
    expect(page.get_by_test_id("problem-tally")).to_contain_text("1 of 2 customers told")
    page.screenshot(path=artifacts_dir / "problem-fixed-told.png", full_page=True)

    # the ombudsman's report shows executives the fix and how many customers heard of it
    page.locator("details.navmore > summary").click()
    page.get_by_role("link", name="Report", exact=True).click()
    fix = page.get_by_test_id("report-fix")
    expect(fix).to_contain_text("Baggage and refunds system down")
    expect(fix).to_contain_text("1 of 2")
    page.screenshot(path=artifacts_dir / "ombudsman-report.png", full_page=True)
