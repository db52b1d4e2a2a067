"""Browser tests: the real app served by uvicorn, driven by Debian's Chromium through Playwright.

Each test gets its own seeded SQLite database and its own server on a free loopback port; the
browser is launched once per session and every test gets a fresh context (no shared cookies).
Screenshots land in ``test-artifacts/`` at the repository root; a failing test leaves one there too.
No browser is ever downloaded: Playwright drives ``/usr/bin/chromium`` from the Debian package.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role
from ombuds.cases.models import Case, CaseStatus, Customer, Identity, Priority
from ombuds.cases.reach import refresh_reach
from ombuds.clock import utcnow
from ombuds.mentions.models import Mention, Source, Stage
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.support.live_server import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A page of the live server answers in well under a second; on a loaded two-core CI machine
# running other test processes, its first load once took past 15 s.
TIMEOUT_MS = 30_000


# --- the data a desk starts the day with ------------------------------------------------------


@dataclass
class SeededCase:
    id: int
    subject: str
    priority: Priority
    mention_texts: list[str]


@dataclass
class SeededDesk:
    """What the seeded database holds, so tests can check the pages against it."""

    email: str
    password: str
    brand_name: str
    cases: list[SeededCase] = field(default_factory=list)
    other_brand_subjects: list[str] = field(default_factory=list)

    def case(self, subject_start: str) -> SeededCase:
        return next(case for case in self.cases if case.subject.startswith(subject_start))


def _add_case(
    session: Session,
    *,
    brand: Brand,
    source: Source,
    team_id: int | None,
    handle: str,
    name: str,
    followers: int,
    subject: str,
    priority: Priority,
    hours_ago: float,
    texts: list[str],
) -> SeededCase:
    """One customer with one open case and their mentions, oldest first, already routed."""
    customer = Customer(brand_id=brand.id, display_name=name)
    session.add(customer)
    session.flush()
    session.add(
        Identity(
            brand_id=brand.id, customer_id=customer.id, channel="twitter", handle=handle, followers=followers
        )
    )
    opened_at = utcnow() - timedelta(hours=hours_ago)
    case = Case(
        brand_id=brand.id,
        customer_id=customer.id,
        subject=subject,
        channel="twitter",
        status=CaseStatus.OPEN,
        priority=priority,
        team_id=team_id,
        opened_at=opened_at,
        last_activity_at=opened_at + timedelta(minutes=20 * (len(texts) - 1)),
    )
    session.add(case)
    session.flush()
    refresh_reach(session, customer_ids=[customer.id])
    for number, text in enumerate(texts):
        session.add(
            Mention(
                brand_id=brand.id,
                source_id=source.id,
                external_id=f"{handle}-{case.id}-{number}",
                channel="twitter",
                author_handle=handle,
                author_name=name,
                author_followers=followers,
                text=text,
                created_at=opened_at + timedelta(minutes=20 * number),
                raw=text.encode(),
                raw_format="text",
                stage=Stage.DETECTED,
                customer_id=customer.id,
                case_id=case.id,
            )
        )
    session.flush()
    return SeededCase(id=case.id, subject=subject, priority=priority, mention_texts=texts)


def seed_desk(session: Session) -> SeededDesk:
    """An airline's care desk: three open cases for one brand, one case of a brand the agent can't see."""
    brand = actions.create_brand(session, slug="skyways", name="Skyways")
    team = actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
    desk = SeededDesk(email="ada@skyways.test", password="correct horse battery", brand_name=brand.name)
    agent = actions.create_user(session, email=desk.email, name="Ada Agent", password=desk.password)
    actions.add_membership(session, user=agent, brand=brand, role=Role.AGENT)
    source = Source(brand_id=brand.id, kind="file", name="seed", config={})
    session.add(source)
    session.flush()

    common = {"session": session, "brand": brand, "source": source, "team_id": team.id}
    desk.cases.append(
        _add_case(
            **common,
            handle="@maya_flies",
            name="Maya Lindqvist",
            followers=312,
            subject="Bag lost on SK204 to Lisbon",
            priority=Priority.NORMAL,
            hours_ago=30,
            texts=[
                "@Skyways landed in Lisbon two hours ago and my bag is still nowhere. Flight SK204.",
                "@Skyways the desk at arrivals says to call a number that nobody answers.",
                "@Skyways day two without clothes. File reference LIS-88213. Anyone?",
            ],
        )
    )
    desk.cases.append(
        _add_case(
            **common,
            handle="@tomasz_k",
            name="Tomasz Kowalczyk",
            followers=58_400,
            subject="Refund promised in 5 days, still waiting after 6 weeks",
            priority=Priority.URGENT,
            hours_ago=3,
            texts=[
                "Six weeks since @Skyways cancelled my flight and promised a refund in 5 days. Nothing.",
                "@Skyways your ad says 'refunds in 5 days, guaranteed'. Should I call my lawyer?",
            ],
        )
    )
    desk.cases.append(
        _add_case(
            **common,
            handle="@ines_travels",
            name="Inês Duarte",
            followers=1_204,
            subject="Can I bring a guitar as cabin baggage?",
            priority=Priority.LOW,
            hours_ago=50,
            texts=["@Skyways hi! Can I take my guitar into the cabin on a domestic flight?"],
        )
    )

    rival = actions.create_brand(session, slug="rival-air", name="Rival Air")
    rival_team = actions.create_team(session, brand=rival, slug="care", name="Care", is_default=True)
    rival_source = Source(brand_id=rival.id, kind="file", name="seed", config={})
    session.add(rival_source)
    session.flush()
    secret = _add_case(
        session=session,
        brand=rival,
        source=rival_source,
        team_id=rival_team.id,
        handle="@quiet_flyer",
        name="Quiet Flyer",
        followers=10,
        subject="Rival Air seat broken on RA17",
        priority=Priority.URGENT,
        hours_ago=1,
        texts=["@RivalAir my seat on RA17 would not recline for the whole flight."],
    )
    desk.other_brand_subjects.append(secret.subject)
    session.commit()
    return desk


@pytest.fixture
def desk(session_factory: sessionmaker[Session]) -> SeededDesk:
    with session_factory() as session:
        return seed_desk(session)


# --- the server ---------------------------------------------------------------------------------


@pytest.fixture
def live_server(
    desk: SeededDesk, database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> Iterator[str]:
    """The base URL of the real app serving the seeded database."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    server = LiveServer(create_app(settings=settings, session_factory=session_factory))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


# --- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (Debian package `chromium`)"
        if os.geteuid() != 0:
            pytest.skip(f"{reason}; not root, so `make test` could not install it")
        pytest.fail(f"{reason}; run `make test` (or scripts/install-system-deps.sh) as root first")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's outcome on the test item, so fixtures can react to a failure."""
    report = yield
    item.stash.setdefault(_phase_failed, {})[report.when] = report.failed
    return report


_phase_failed = pytest.StashKey[dict[str, bool]]()


@pytest.fixture
def page(
    browser: Browser, live_server: str, artifacts_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser tab (own cookies) pointed at the live server; screenshots itself on failure."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = _watch_for_problems(page)
    try:
        yield page
    finally:
        failed = request.node.stash.get(_phase_failed, {}).get("call", False)
        if failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            page.screenshot(path=artifacts_dir / f"FAILED-{name}.png", full_page=True)
        context.close()
    # A page that "works" with a missing stylesheet or a script error is still broken for its users.
    assert failed or not problems, "the browser met problems:\n" + "\n".join(problems)


def _watch_for_problems(page: Page) -> list[str]:
    """Collect failed requests, error responses, uncaught script errors and console errors."""
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.request.is_navigation_request():
            problems.append(f"{response.status} for {response.request.method} {response.url}")

    def on_request_failed(request: Request) -> None:
        # ERR_ABORTED is the browser cancelling a load because the page moved on (a click that
        # navigates while the favicon is still coming); a missing file answers 404 above instead.
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    return problems
