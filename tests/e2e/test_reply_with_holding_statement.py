"""PR writes a holding statement on an incident; an agent answers a linked case with it; PR approves.

Two people, two browsers: PR publishes the statement from the incident page, the agent finds the
case in the inbox by its badge, sees the banner, inserts the statement into the reply box (the live
checker and the counter follow), and sends. The case is linked to an active incident, so the
reply waits for PR, who approves it from the approvals queue; the outbox delivers it and the
agent finds it on the case's timeline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.clock import utcnow
from ombuds.incidents import actions
from ombuds.incidents.detectors import Severity
from ombuds.mentions.models import Mention
from ombuds.responses.sending import deliver_due_replies
from tests.e2e.conftest import TIMEOUT_MS, SeededDesk

pytestmark = pytest.mark.browser

PR_EMAIL = "pia@skyways.test"
PR_PASSWORD = "holding line 2026"
STATEMENT = (
    "Thank you for your patience, and we are sorry. Bags from Lisbon flights are delayed; "
    "we are tracing every one and will update you within 24 hours."
)


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox$"))


def test_an_agent_answers_a_linked_case_with_the_holding_statement_pr_wrote(
    page: Page,
    browser: Browser,
    desk: SeededDesk,
    live_server: str,
    session_factory: sessionmaker[Session],
    artifacts_dir: Path,
) -> None:
    bag = desk.case("Bag lost")
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        pr = accounts.create_user(session, email=PR_EMAIL, name="Pia PR", password=PR_PASSWORD)
        accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
        incident = actions.open_incident(
            session,
            brand_id=brand.id,
            title="Bags missing on Lisbon flights",
            actor_id=None,
            now=utcnow(),
            severity=Severity.HIGH,
            mention_ids=list(session.scalars(select(Mention.id).where(Mention.case_id == bag.id))),
        )
        session.flush()
        incident_id = incident.id

    # PR writes the holding statement on the incident page.
    sign_in(page, PR_EMAIL, PR_PASSWORD)
    page.goto(f"/incidents/{incident_id}")
    page.get_by_test_id("holding-form").locator("textarea[name=text]").fill(STATEMENT)
    page.get_by_test_id("holding-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("holding-current")).to_have_text(STATEMENT)

    # The agent, in their own browser, opens the linked case from the inbox.
    agent_context = browser.new_context(
        base_url=live_server,
        viewport={"width": 1280, "height": 1000},
        permissions=["clipboard-read", "clipboard-write"],  # the "Copy the words" button
    )
    agent_context.set_default_timeout(TIMEOUT_MS)
    agent = agent_context.new_page()
    try:
        sign_in(agent, desk.email, desk.password)
        row = agent.get_by_test_id("case-row").filter(has_text=bag.subject)
        expect(row.get_by_test_id("holding-badge")).to_be_visible()
        row.locator("a.case-link").click()
        agent.wait_for_url(re.compile(rf"/cases/{bag.id}$"))
        expect(agent.get_by_test_id("holding-banner")).to_contain_text(STATEMENT)

        # Insert the statement; the counter and the live checker follow what is in the box.
        agent.get_by_test_id("suggested-talking-point").first.get_by_test_id("insert-suggestion").click()
        box = agent.locator("#reply-text")
        expect(box).to_have_value(STATEMENT)
        expect(agent.locator("#reply-count")).to_contain_text(f"{len(STATEMENT)} / 280 characters")
        expect(agent.get_by_test_id("reply-findings").locator(".finding-block")).to_have_count(0)
        box.press("End")
        box.press_sequentially(" Email me at ada@example.com")
        expect(agent.locator('#reply-findings [data-code="pii_public"]')).to_contain_text("ada@example.com")
        box.fill(STATEMENT)
        expect(agent.locator('#reply-findings [data-code="pii_public"]')).to_have_count(0)
        agent.get_by_test_id("reply-send").click()
        expect(agent.get_by_test_id("reply-awaiting")).to_contain_text("linked to an active incident")
        agent.screenshot(path=artifacts_dir / "reply-composer.png", full_page=True)

        # PR approves it from the queue; the outbox sends it.
        page.locator("details.navmore > summary").click()
        page.get_by_role("link", name="Approvals", exact=True).click()
        approval = page.get_by_test_id("approval")
        expect(approval.get_by_test_id("approval-text")).to_have_text(STATEMENT)
        expect(approval.get_by_test_id("approval-why")).to_contain_text("active incident")
        page.screenshot(path=artifacts_dir / "reply-approvals.png", full_page=True)
        approval.get_by_test_id("approve").click()
        expect(page.get_by_test_id("no-approvals")).to_be_visible()
        assert len(deliver_due_replies(session_factory).manual) == 1

        # No connector sends on X here: the agent posts the words by hand and says so.
        agent.reload()
        expect(agent.get_by_test_id("reply-to-post")).to_contain_text("post it there by hand")
        agent.get_by_test_id("reply-copy").click()
        expect(agent.get_by_test_id("reply-copy")).to_have_text("Copied")
        assert agent.evaluate("navigator.clipboard.readText()") == STATEMENT
        agent.get_by_test_id("reply-mark-posted").click()

        # The agent sees the reply on the case's timeline.
        outbound = agent.locator("[data-testid=mention]").filter(has_text=STATEMENT)
        expect(outbound).to_have_count(1)
        expect(agent.locator('[data-testid=reply][data-status="sent"]')).to_have_count(1)
        agent.screenshot(path=artifacts_dir / "reply-sent.png", full_page=True)
    finally:
        agent_context.close()
