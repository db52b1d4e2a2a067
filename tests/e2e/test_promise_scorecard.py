"""PR opens the promise scorecard, sees the bags promise contradicted, and follows it to the customer's case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.mentions.models import Mention
from ombuds.promises import actions, stage
from ombuds.promises.files import PromiseEntry
from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser

PR_EMAIL = "pia@skyways.test"
PR_PASSWORD = "holding line 2026"


def test_pr_follows_a_contradicted_promise_to_its_cases(
    page: Page,
    desk: SeededDesk,
    live_server: str,
    session_factory: sessionmaker[Session],
    artifacts_dir: Path,
) -> None:
    bag_case = desk.case("Bag lost")
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        pr = accounts.create_user(session, email=PR_EMAIL, name="Pia PR", password=PR_PASSWORD)
        accounts.add_membership(session, user=pr, brand=brand, role=Role.PR)
        actions.import_promises(
            session,
            brand=brand,
            entries=[
                PromiseEntry("bags", "Your bags arrive with you", campaign="Travel light 2026"),
                PromiseEntry("refunds", "Refunds in 5 days, guaranteed"),
            ],
        )
        mentions = list(session.scalars(select(Mention).where(Mention.brand_id == brand.id)))
        stage.match(session, brand_id=brand.id, mentions=mentions)

    page.goto(f"{live_server}/promises")
    page.locator('input[name="email"]').fill(PR_EMAIL)
    page.locator('input[name="password"]').fill(PR_PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/promises$"))
    expect(page.get_by_test_id("promise-row")).to_have_count(2)
    bags_row = page.get_by_test_id("promise-row").filter(has_text="Your bags arrive with you")
    expect(bags_row.get_by_test_id("alignment")).to_contain_text("%")
    page.screenshot(path=artifacts_dir / "promise-scorecard.png", full_page=True)

    bags_row.get_by_test_id("promise-link").click()
    page.wait_for_url(re.compile(r"/promises/\d+$"))
    expect(page.get_by_test_id("promise-title")).to_contain_text("Your bags arrive with you")
    expect(page.get_by_test_id("matched-mention").first.locator("mark")).not_to_be_empty()
    cases = page.get_by_test_id("contradicting-cases").get_by_test_id("case-link")
    expect(cases.filter(has_text=bag_case.subject)).to_have_count(1)
    page.screenshot(path=artifacts_dir / "promise.png", full_page=True)

    cases.filter(has_text=bag_case.subject).click()
    page.wait_for_url(re.compile(rf"/cases/{bag_case.id}$"))
    expect(page.locator("h1")).to_contain_text(bag_case.subject)
