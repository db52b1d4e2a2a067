"""A reply typed and left (a look at the inbox) is there when the agent comes back, until it is sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SeededDesk
from tests.e2e.test_cross_team_task import sign_in

pytestmark = pytest.mark.browser

WORDS = "We found your refund, {customer_name}: it left our side this morning."


def test_words_typed_and_left_are_kept_for_the_tab_until_sent(page: Page, desk: SeededDesk) -> None:
    refund = desk.case("Refund promised")
    sign_in(page, desk.email, desk.password)
    page.goto(f"/cases/{refund.id}")
    page.locator('input[name="visibility"][value="private"]').check()
    page.locator("#reply-text").fill(WORDS)
    page.get_by_role("link", name="Inbox").first.click()
    page.wait_for_url(re.compile(r"/inbox"))

    page.goto(f"/cases/{refund.id}")
    expect(page.locator("#reply-text")).to_have_value(WORDS)
    # another case's box is its own
    other = next(case for case in desk.cases if case.id != refund.id)
    page.goto(f"/cases/{other.id}")
    expect(page.locator("#reply-text")).to_have_value("")

    page.goto(f"/cases/{refund.id}")
    page.locator('input[name="visibility"][value="private"]').check()
    page.get_by_test_id("reply-send").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#reply-text")).to_have_value("")  # sent: nothing is put back
    page.reload()
    expect(page.locator("#reply-text")).to_have_value("")
