"""The ombudsman's weekly report: the problems costing customers most and who owns them, what was
fixed and whether customers noticed, the promises they contradict with their own words; on the
page and by email (`ombuds report send`), and a helpful page when there is nothing to report yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.lifecycle import Actor
from ombuds.cli.main import app
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from ombuds.problems import actions as problems
from ombuds.problems.values import ProblemStatus
from ombuds.promises import actions as promises
from ombuds.promises.models import PromiseMatch, Stance
from ombuds.reports.ombudsman import ombudsman_report
from ombuds.routing.models import SlaPolicySetting
from ombuds.routing.sla_config import DEFAULT_CONFIG
from tests.integration.test_metrics_digest import Mailbox, mailbox  # noqa: F401 (a fixture)
from tests.integration.test_surveys_and_outcomes import write
from tests.integration.test_web_cases import PASSWORD, sign_in


def says(
    session: Session, brand: Brand, text: str, *, at: datetime, handle: str, sentiment: str, category: str
) -> Mention:
    """A customer's message as analysis left it: its sentiment and category."""
    mention = write(session, brand, text=text, at=at, handle=handle, name=handle.title())
    for analyzer, label in (("sentiment", sentiment), ("category", category)):
        session.add(
            Enrichment(
                brand_id=brand.id,
                mention_id=mention.id,
                analyzer=analyzer,
                model_version="t",
                label=label,
                data={},
            )
        )
    session.commit()
    return mention


def person(session: Session, brand: Brand, email: str, role: Role) -> User:
    user = accounts.create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD)
    accounts.add_membership(session, user=user, brand=brand, role=role)
    session.commit()
    return user


@pytest.fixture
def week(session: Session, brand: Brand, team: Team) -> dict[str, int]:
    """An open app problem owned by operations, a refund problem fixed four days ago after which
    refund customers turned happy, and a punctuality promise the app problem's customers contradict."""
    now = utcnow()
    pr = person(session, brand, "priya@skyways.test", Role.PR)
    olu = person(session, brand, "olu@skyways.test", Role.AGENT)
    operations = accounts.create_team(session, brand=brand, slug="operations", name="Operations")
    session.commit()
    app_said = [
        says(
            session,
            brand,
            text,
            at=now - timedelta(days=days),
            handle=handle,
            sentiment="negative",
            category="app",
        )
        for text, handle, days in (
            ("The app showed my cancelled flight as on time, mail me at mara.lind@example.org", "mara", 6),
            ("App says on time, the board says cancelled. Which is it?", "tom", 5),
        )
    ]
    refund_said = [
        says(
            session,
            brand,
            text,
            at=now - timedelta(days=days),
            handle=handle,
            sentiment="negative",
            category="refunds",
        )
        for text, handle, days in (
            ("My refund is stuck since Tuesday", "ines", 9),
            ("Still no refund after two weeks", "raj", 8),
        )
    ]
    for index in range(3):  # after the fix, other customers find their refunds arrive
        says(
            session,
            brand,
            f"Refund arrived in three days, thank you ({index})",
            at=now - timedelta(days=2, hours=index),
            handle=f"happy{index}",
            sentiment="positive",
            category="refunds",
        )
    app_problem = problems.create_problem(
        session,
        brand_id=brand.id,
        title="App shows cancelled flights as on time",
        owner_team_id=operations.id,
        owner_id=olu.id,
        case_ids=[m.case_id for m in app_said if m.case_id],
        actor=Actor(pr),
        now=now - timedelta(days=4),
    )
    refund_problem = problems.create_problem(
        session,
        brand_id=brand.id,
        title="Refund batch job stuck",
        owner_team_id=team.id,
        case_ids=[m.case_id for m in refund_said if m.case_id],
        fix_message="Your refund is on its way; sorry it took so long.",
        actor=Actor(pr),
        now=now - timedelta(days=7),
    )
    problems.set_status(
        session,
        problem=refund_problem,
        status=ProblemStatus.FIXED,
        note=None,
        actor=Actor(pr),
        now=now - timedelta(days=4),
    )
    promise = promises.create_promise(
        session, brand=brand, key="on-time", text="Our flights leave and arrive on time"
    )
    for mention in app_said:
        session.add(
            PromiseMatch(
                brand_id=brand.id,
                promise_id=promise.id,
                mention_id=mention.id,
                stance=Stance.CONTRADICTS,
                score=0.5,
                evidence=mention.text,
                evidence_end=len(mention.text),
                model_version="t",
                occurred_at=mention.created_at,
            )
        )
    session.commit()
    return {"app": app_problem.id, "refund": refund_problem.id, "promise": promise.id}


def test_the_report_names_the_costly_problem_its_owner_the_fix_customers_noticed_and_the_promise(
    client: TestClient, week: dict[str, int]
) -> None:
    sign_in(client, "priya@skyways.test")
    page = client.get("/reports/ombudsman")

    assert page.status_code == 200, page.text
    costliest = page.text.split('data-testid="report-costliest"')[1].split("</section>")[0]
    assert "App shows cancelled flights as on time" in costliest
    assert "Operations · Olu" in costliest, "the owning team and its owner"
    assert f'href="/problems/{week["app"]}"' in costliest
    assert "Refund batch job stuck" not in costliest, "a fixed problem costs no more"
    fixed = page.text.split('data-testid="report-fixed"')[1].split("</section>")[0]
    assert "Refund batch job stuck" in fixed
    assert "0 of 2" in fixed, "two customers to tell, none told yet"
    assert "100% → 0%" in fixed, "refund messages were all negative before the fix and none after"
    assert "customers noticed" in fixed
    said = page.text.split('data-testid="report-promises"')[1].split("</section>")[0]
    assert "Our flights leave and arrive on time" in said
    assert "Which is it?" in said, "a customer's own words"


def test_the_report_email_masks_customers_words(
    week: dict[str, int],
    mailbox: Mailbox,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    out = tmp_path / "report.html"
    sent = CliRunner().invoke(
        app, ["report", "send", "--brand", "skyways", "--to", "ceo@skyways.test", "--html", str(out)]
    )

    assert sent.exit_code == 0, sent.output
    assert "sent to" in sent.output
    assert "ceo@skyways.test" in sent.output
    [message] = mailbox.messages
    assert "ombudsman's report" in str(message["Subject"])
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "App shows cancelled flights as on time" in html
    assert "customers noticed" in html
    assert "mara.lind@example.org" not in html, "the email leaves the desk: personal data masked"
    assert "mail me at [email]" in html
    assert next(part.get_filename() for part in message.iter_attachments()).endswith(".pdf")
    assert out.read_text().strip() == html.replace("\r\n", "\n").strip(), "--html writes the email's page"


def test_a_brand_without_problems_or_promises_gets_a_report_that_says_how_it_fills(
    client: TestClient, session: Session, brand: Brand
) -> None:
    person(session, brand, "priya@skyways.test", Role.PR)
    sign_in(client, "priya@skyways.test")
    page = client.get("/reports/ombudsman")

    assert page.status_code == 200, page.text
    assert 'data-testid="report-empty"' in page.text
    assert 'href="/problems"' in page.text, "pointed at where problems are confirmed"


def test_the_report_covers_the_brands_last_seven_days(session: Session, brand: Brand) -> None:
    session.add(
        SlaPolicySetting(
            brand_id=brand.id,
            timezone="Australia/Sydney",  # UTC+11 in December
            hours={},
            holidays=[],
            targets={k: dict(v) for k, v in DEFAULT_CONFIG.targets.items()},
            channel_targets={},
            near_breach_percent=80,
        )
    )
    session.commit()
    # Tuesday 8 December 2026, 09:00 in Sydney, still Monday evening in UTC
    report = ombudsman_report(session, brand=brand, now=datetime(2026, 12, 7, 22, tzinfo=UTC))
    assert (report.start, report.end) == (
        datetime(2026, 11, 30, 13, tzinfo=UTC),
        datetime(2026, 12, 7, 13, tzinfo=UTC),
    )
    assert report.subject.endswith("report for 01 Dec to 07 Dec 2026")
