"""An admin sets up a team and invites a person, who signs in with the link: all in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role
from tests.e2e.conftest import SeededDesk

pytestmark = pytest.mark.browser

ADMIN = "ann@skyways.test"
PASSWORD = "correct horse battery"


def test_an_admin_creates_a_team_and_invites_a_person_who_signs_in_with_the_link(
    page: Page,
    browser: Browser,
    live_server: str,
    desk: SeededDesk,
    session_factory: sessionmaker[Session],
    artifacts_dir: Path,
) -> None:
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        admin = actions.create_user(session, email=ADMIN, name="Ann Admin", password=PASSWORD)
        actions.add_membership(session, user=admin, brand=brand, role=Role.ADMIN)

    page.goto("/login")
    page.locator('input[name="email"]').fill(ADMIN)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox"))
    page.locator("details.navmore > summary").click()
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Teams").first.click()

    page.get_by_label("Name", exact=True).fill("Baggage")
    page.get_by_role("button", name="Create team").click()
    expect(page.locator("[data-testid=team-row]", has_text="Baggage")).to_have_count(1)

    page.locator(".admin-nav").get_by_role("link", name="People").click()
    page.get_by_label("Email", exact=True).fill("ivo@skyways.test")
    page.get_by_label("Name", exact=True).fill("Ivo Novak")
    page.get_by_label("Role", exact=True).select_option("agent")
    page.get_by_role("button", name="Invite").click()
    link = page.get_by_test_id("invite-link").input_value()
    assert link.startswith(live_server + "/invite/")
    page.screenshot(path=artifacts_dir / "admin-invite.png", full_page=True)

    newcomer = browser.new_context(base_url=live_server)
    try:
        invited = newcomer.new_page()
        invited.goto(link)
        expect(invited.locator("h1")).to_contain_text("Join Skyways")
        invited.get_by_label("Password (at least").fill("a long new secret")
        invited.get_by_label("The same password again").fill("a long new secret")
        invited.get_by_role("button", name="Set password and sign in").click()
        invited.wait_for_url(re.compile(r"/inbox"))
        expect(invited.get_by_text("Welcome, Ivo Novak")).to_be_visible()
        invited.locator("details.navmore > summary").click()
        expect(invited.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
        expect(invited.get_by_role("link", name="Admin", exact=True)).to_have_count(0)

        invited.goto(link)  # the link worked once
        expect(invited.get_by_test_id("invite-gone")).to_be_visible()
    finally:
        newcomer.close()
    page.goto("/admin/people")
    expect(page.locator("[data-testid=invite-row]", has_text="Ivo Novak")).to_contain_text("Joined")
