"""An agent asks Billing for a refund from the case page; a billing agent does it from the Tasks page;
the agent tells the customer and resolves; the customer, signed out, answers the survey."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Role
from ombuds.accounts.queries import get_brand_by_slug_or_raise
from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser

BILLY = ("billy@skyways.test", "correct horse battery")


@pytest.fixture
def billing(desk: SeededDesk, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        brand = get_brand_by_slug_or_raise(session, "skyways")
        actions.create_team(session, brand=brand, slug="billing", name="Billing")
        billy = actions.create_user(session, email=BILLY[0], name="Billy Billing", password=BILLY[1])
        actions.add_membership(session, user=billy, brand=brand, role=Role.AGENT)
        session.commit()


def sign_in(page: Page, email: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox(\?.*)?$"))


def test_an_agent_asks_billing_and_a_billing_agent_completes_it_from_the_tasks_page(
    page: Page, browser: Browser, live_server: str, desk: SeededDesk, billing: None, artifacts_dir: Path
) -> None:
    refund = desk.case("Refund promised")
    sign_in(page, desk.email, desk.password)
    page.goto(f"/cases/{refund.id}")
    tasks = page.get_by_test_id("case-tasks")
    tasks.get_by_label("Ask team").select_option(label="Billing")
    tasks.get_by_label("To do").fill("Refund the cancelled flight, 212 EUR")
    tasks.get_by_role("button", name="Ask").click()
    expect(page.locator(".flash-success")).to_contain_text("Task for Billing")
    expect(tasks.get_by_test_id("task")).to_contain_text("Open")

    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.locator(".flash-error")).to_contain_text("cannot be resolved while task")

    sign_in(page, *BILLY)
    page.get_by_role("link", name="Tasks").click()
    page.get_by_label("Team").select_option(label="Billing")
    page.get_by_role("button", name="Show").click()
    open_tasks = page.get_by_test_id("tasks-open")
    expect(open_tasks).to_contain_text("Refund the cancelled flight, 212 EUR")
    open_tasks.get_by_label("What was done").fill("Refunded 212 EUR to the card")
    open_tasks.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("tasks-done")).to_contain_text("Refunded 212 EUR to the card")
    page.screenshot(path=artifacts_dir / "tasks-page.png", full_page=True)

    sign_in(page, desk.email, desk.password)
    expect(page.get_by_test_id("tell-customer-badge")).to_be_visible()
    page.goto(f"/cases/{refund.id}")
    expect(page.get_by_test_id("tell-customer")).to_have_text("Tell the customer what was done")
    expect(page.get_by_label("Messages and history")).to_contain_text("Task done by Billing")

    # The agent tells the customer what was done, and resolves: the case offers its survey.
    page.locator('input[name="visibility"][value="private"]').check()
    page.locator("#reply-text").fill(
        "We refunded 212 EUR to your card, {customer_name}. Sorry for the trouble."
    )
    page.get_by_test_id("reply-send").click()
    expect(page.get_by_test_id("reply")).to_contain_text("We refunded 212 EUR to your card")
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.locator(".flash-success")).to_be_visible()
    survey_url = page.get_by_test_id("survey-link").input_value()
    assert survey_url.startswith(f"{live_server}/survey/")

    # The customer follows the link in a browser of their own, signed in nowhere.
    customer = browser.new_context(viewport={"width": 420, "height": 860})
    try:
        survey = customer.new_page()
        survey.goto(survey_url)
        expect(survey.get_by_role("heading", level=1)).to_contain_text("How did we do")
        survey.get_by_label("4", exact=True).check()
        survey.get_by_label("Anything you would like to add?").fill("Refund arrived, thanks")
        survey.get_by_role("button", name="Send").click()
        expect(survey.get_by_test_id("survey-message")).to_contain_text(
            "Thank you! Your answer has been recorded."
        )
        survey.screenshot(path=artifacts_dir / "survey-answered.png", full_page=True)
    finally:
        customer.close()

    page.reload()
    expect(page.get_by_test_id("csat")).to_contain_text("Customer's score: 4/5")
    expect(page.get_by_test_id("csat-comment")).to_have_text("Refund arrived, thanks")
