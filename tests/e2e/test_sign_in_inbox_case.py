"""An agent starts the day: signs in, sees the open cases of their brand, reads one customer's story."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser


def test_an_agent_signs_in_picks_the_urgent_case_and_reads_the_customers_mentions(
    page: Page, desk: SeededDesk, artifacts_dir: Path
) -> None:
    page.goto("/login")
    page.locator('input[name="email"]').fill(desk.email)
    page.locator('input[name="password"]').fill(desk.password)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox(\?.*)?$"))

    # The inbox lists this brand's open cases, most urgent first, and nothing of another brand.
    rows = page.locator("[data-testid=case-row]")
    expect(rows).to_have_count(len(desk.cases))
    expect(rows.first).to_contain_text(desk.case("Refund promised").subject)
    for subject in desk.other_brand_subjects:
        expect(page.get_by_text(subject)).to_have_count(0)
    page.screenshot(path=artifacts_dir / "inbox.png", full_page=True)

    lost_bag = desk.case("Bag lost")
    row = rows.filter(has_text=lost_bag.subject)
    row.locator(f'a[href$="/cases/{lost_bag.id}"]').first.click()
    page.wait_for_url(re.compile(rf"/cases/{lost_bag.id}(\?.*)?$"))

    # The case page tells the customer's story in the order it happened.
    expect(page.locator("h1")).to_contain_text(lost_bag.subject)
    mentions = page.locator("[data-testid=mention]")
    expect(mentions).to_have_count(len(lost_bag.mention_texts))
    for position, text in enumerate(lost_bag.mention_texts):
        expect(mentions.nth(position)).to_contain_text(text)
    page.screenshot(path=artifacts_dir / "case.png", full_page=True)
    assert (artifacts_dir / "case.png").stat().st_size > 10_000
