"""An agent takes a case, writes down what they did and resolves it, all in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser


def test_an_agent_assigns_a_case_to_themselves_notes_the_fix_and_resolves_it(
    page: Page, desk: SeededDesk, artifacts_dir: Path
) -> None:
    page.goto("/login")
    page.locator('input[name="email"]').fill(desk.email)
    page.locator('input[name="password"]').fill(desk.password)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox(\?.*)?$"))

    refund = desk.case("Refund promised")
    page.goto(f"/cases/{refund.id}")
    history = page.get_by_label("Messages and history")

    page.get_by_test_id("assign-to-me").click()
    expect(page.locator(".flash-success")).to_have_text("Assigned to you.")
    expect(page.locator("#assignee-select option:checked")).to_have_text("Ada Agent (you)")
    expect(history.locator("[data-kind='case.assigned']")).to_contain_text("by Ada Agent")

    page.locator("#note-text").fill("Refund of €212 pushed through finance today; told the customer.")
    page.get_by_role("button", name="Resolve with this note").click()
    expect(page.locator(".flash-success")).to_have_text("Status is now resolved.")

    expect(page.locator(".case-badges .badge.status-resolved")).to_be_visible()
    change = history.locator("[data-kind='case.status_changed']")
    expect(change).to_contain_text("Status Open → Resolved")
    expect(change).to_contain_text("Refund of €212 pushed through finance today")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    page.screenshot(path=artifacts_dir / "case-work.png", full_page=True)

    # The resolved case has left the agent's open work.
    page.goto("/inbox?assignee=me")
    expect(page.locator("[data-testid=case-row]")).to_have_count(0)
