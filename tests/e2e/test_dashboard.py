"""A manager opens the dashboard, sees the week's figures drawn, clicks one and lands on its cases."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.cases.actions import set_case_status
from ombuds.cases.models import Case, CaseStatus
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser

EMAIL = "max@skyways.test"
PASSWORD = "figures that matter"


def test_a_manager_follows_a_dashboard_figure_to_its_cases(
    page: Page,
    desk: SeededDesk,
    live_server: str,
    session_factory: sessionmaker[Session],
    artifacts_dir: Path,
) -> None:
    guitar, refund = desk.case("Can I bring a guitar"), desk.case("Refund promised")
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        manager = accounts.create_user(session, email=EMAIL, name="Max Manager", password=PASSWORD)
        accounts.add_membership(session, user=manager, brand=brand, role=Role.MANAGER)
        for seeded, mood in ((refund, "negative"), (guitar, "positive")):
            for mention in session.scalars(select(Mention).where(Mention.case_id == seeded.id)):
                session.add(
                    Enrichment(
                        brand_id=brand.id,
                        mention_id=mention.id,
                        analyzer="sentiment",
                        model_version="t",
                        label=mood,
                    )
                )
        case = session.get(Case, guitar.id)
        assert case is not None
        set_case_status(session, case=case, status=CaseStatus.RESOLVED, at=utcnow() - timedelta(hours=1))

    page.goto(f"{live_server}/dashboard")
    page.locator('input[name="email"]').fill(EMAIL)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    resolved = page.locator('[data-tile="cases-resolved"]')
    expect(resolved).to_contain_text("1")
    expect(page.locator('[data-tile="experience-debt"]')).to_contain_text(": 1")
    expect(page.get_by_test_id("chart")).to_have_count(4)
    expect(page.get_by_test_id("pay-down")).to_contain_text(refund.subject)
    # the breakdown by channel: the selector alone changes nothing, its button shows it
    chooser = page.get_by_test_id("breakdown-by")
    chooser.locator("select").select_option("channel")
    chooser.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"/dashboard\?.*by=channel"))
    expect(page.get_by_test_id("breakdown-row").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "dashboard.png", full_page=True)

    resolved.click()
    page.wait_for_url(re.compile(r"/dashboard/cases\?figure=resolved"))
    expect(page.get_by_test_id("figure-total")).to_have_text("1")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(guitar.subject)
    page.screenshot(path=artifacts_dir / "dashboard-cases.png", full_page=True)

    rows.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/cases/{guitar.id}$"))
    expect(page.locator("h1")).to_contain_text(guitar.subject)
