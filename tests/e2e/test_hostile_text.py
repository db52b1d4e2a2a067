"""Customers write anything: markup in a message, a name or a subject shows as text and runs nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.cases.models import Priority
from ombuds.mentions.models import Source
from tests.e2e.conftest import SeededDesk, _add_case

pytestmark = pytest.mark.browser

HOSTILE = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    '"><svg onload="window.__pwned = \'svg\'">',
    "{{ 7*7 }} {% raw %} ${7*7} <a href=\"javascript:window.__pwned='link'\">click</a>",
]


def test_markup_written_by_customers_is_shown_as_text_and_never_runs(
    page: Page, desk: SeededDesk, session_factory: sessionmaker[Session], artifacts_dir: Path
) -> None:
    with session_factory.begin() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        source = session.scalars(select(Source).where(Source.brand_id == brand.id)).first()
        assert source is not None
        case = _add_case(
            session,
            brand=brand,
            source=source,
            team_id=None,
            handle="@<b>bold</b>",
            name="Eve <img src=x onerror=\"window.__pwned = 'name'\">",
            followers=5,
            subject=HOSTILE[1],
            priority=Priority.URGENT,
            hours_ago=1,
            texts=HOSTILE,
        )

    page.goto("/login")
    page.locator('input[name="email"]').fill(desk.email)
    page.locator('input[name="password"]').fill(desk.password)
    page.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/inbox(\?.*)?$"))
    expect(page.get_by_text(HOSTILE[1]).first).to_be_visible()

    page.goto(f"/cases/{case.id}")
    mentions = page.locator("[data-testid=mention]")
    expect(mentions).to_have_count(len(HOSTILE))
    for position, text in enumerate(HOSTILE):
        expect(mentions.nth(position)).to_contain_text(text)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x], svg[onload], a[href^=javascript]").count() == 0
    page.screenshot(path=artifacts_dir / "hostile-text.png", full_page=True)
