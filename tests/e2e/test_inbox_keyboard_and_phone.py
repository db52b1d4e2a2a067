"""A day at the desk without the mouse, and on a phone: keys for one case, a search, a bulk change for many,
and every page at 390 px wide without sideways scrolling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.cases.models import Priority
from ombuds.mentions.models import Source
from tests.e2e.conftest import TIMEOUT_MS, SeededDesk, _add_case
from tests.e2e.test_cross_team_task import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def keys_ready(page: Page) -> None:
    """Wait until a freshly loaded page listens for keys: a flash can be on screen while the
    page's deferred keys.js has not run yet, and a key pressed then is lost."""
    page.wait_for_load_state("domcontentloaded")


def test_an_agent_works_one_case_with_only_the_keyboard_searches_then_bulk_assigns_three(
    page: Page, desk: SeededDesk, session_factory: sessionmaker[Session], artifacts_dir: Path
) -> None:
    page.clock.install()  # the inbox's 30-second poll runs when the test says
    sign_in(page, desk.email, desk.password)
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(3)

    # j, j, k: down twice and back up; the second case is current, its link has the focus.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("is-current"))
    focused = rows.nth(1).locator(".case-link")
    expect(focused).to_be_focused()

    # A case comes in meanwhile: the poll offers it and leaves the list, and the focus, alone.
    with session_factory() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        source = session.scalars(select(Source).where(Source.brand_id == brand.id)).first()
        assert source is not None
        _add_case(
            session,
            brand=brand,
            source=source,
            team_id=None,
            handle="@late",
            name="Late Lou",
            followers=5,
            subject="Connection missed in Frankfurt",
            priority=Priority.HIGH,
            hours_ago=0,
            texts=["Missed it."],
        )
        session.commit()
    page.clock.run_for(31_000)
    expect(page.get_by_test_id("inbox-news")).to_have_text("1 new case: show them")
    expect(rows).to_have_count(3)
    expect(focused).to_be_focused()
    second_id = rows.nth(1).get_attribute("data-case-id")
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_contain_text("assign the case to me")
    page.keyboard.press("?")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(rf"/cases/{second_id}$"))

    keys_ready(page)
    page.keyboard.press("a")
    expect(page.locator(".flash-success")).to_contain_text("Assigned to you.")
    keys_ready(page)
    page.keyboard.press("n")
    expect(page.locator("#note-text")).to_be_focused()
    page.keyboard.type("Called the customer; courier booked for tomorrow.")
    page.keyboard.press("Tab")  # Resolve with this note
    page.keyboard.press("Tab")  # Add note
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Note added.")
    expect(page.get_by_text("Called the customer; courier booked for tomorrow.")).to_be_visible()

    # Back in the inbox: every case on the page ticked at once, given to me in one go.
    keys_ready(page)
    page.keyboard.press("/")
    page.wait_for_url(re.compile(r"/inbox#search$"))
    expect(page.locator("#inbox-q")).to_be_focused()

    # A word from the third message of a case finds that case alone; clearing the search shows all.
    page.keyboard.type("clothes")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bag lost on SK204 to Lisbon")
    page.locator("#inbox-q").fill("")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(4)

    page.get_by_label("Select all cases on this page").check()
    bar = page.get_by_test_id("bulk-bar")
    expect(bar).to_contain_text("4 cases selected")
    rows.filter(has_text="Connection missed in Frankfurt").get_by_test_id("select-case").uncheck()
    expect(bar).to_contain_text("3 cases selected")
    bar.get_by_label("Assign to").select_option("me")
    bar.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash-success")).to_contain_text("2 cases assigned; 1 already was.")
    for case in desk.cases:
        expect(rows.filter(has_text=case.subject)).to_contain_text("Ada Agent")
    expect(rows.filter(has_text="Connection missed in Frankfurt")).not_to_contain_text("Ada Agent")
    page.screenshot(path=artifacts_dir / "inbox-bulk-assigned.png", full_page=True)


def test_on_a_phone_the_inbox_and_a_case_fit_the_screen_and_resolve_is_reachable(
    browser: Browser, live_server: str, desk: SeededDesk, artifacts_dir: Path
) -> None:
    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, desk.email, desk.password)
        widths = {"inbox": page.evaluate("document.scrollingElement.scrollWidth")}
        page.screenshot(path=artifacts_dir / "phone-inbox.png", full_page=True)

        case = desk.case("Bag lost")
        page.goto(f"/cases/{case.id}")
        widths["case"] = page.evaluate("document.scrollingElement.scrollWidth")
        page.screenshot(path=artifacts_dir / "phone-case.png", full_page=True)
        resolve = page.get_by_test_id("status-actions").get_by_role("button", name="Resolve", exact=True)
        resolve.scroll_into_view_if_needed()
        box = resolve.bounding_box()

        assert max(widths.values()) <= PHONE["width"], f"wider than the phone: {widths}"
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        resolve.click()
        expect(page.locator(".flash-success")).to_contain_text("Status is now resolved.")
    finally:
        context.close()


def test_on_a_phone_the_admin_and_wording_pages_fit_the_screen(
    browser: Browser, live_server: str, desk: SeededDesk, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        admin = accounts.create_user(
            session, email="ann@skyways.test", name="Ann Admin", password=desk.password
        )
        accounts.add_membership(session, user=admin, brand=brand, role=Role.ADMIN)
    context = browser.new_context(base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, "ann@skyways.test", desk.password)
        widths = {}
        # the SLA targets' table holds visually hidden labels; sources a select of long options
        for path in (
            "/admin/sla",
            "/admin/sources",
            "/admin/people",
            "/admin/rules",
            "/wording",
            "/incidents",
        ):
            page.goto(path)
            widths[path] = page.evaluate("document.scrollingElement.scrollWidth")
        assert {path: width for path, width in widths.items() if width > PHONE["width"]} == {}
    finally:
        context.close()
