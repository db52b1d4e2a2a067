"""The weekly executive digest, sent by `ombuds digest send` to a real SMTP server on loopback:
its figures are the API's for the same week, and customers' words in it are masked. And the
operations figures Prometheus reads from /metrics behind a token."""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, User
from ombuds.cases.actions import set_case_status
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, CaseStatus
from ombuds.cli.main import app
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Source
from ombuds.metrics.schedule import last_whole_week
from ombuds.responses.actions import submit_reply
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.values import Visibility
from ombuds.settings import Settings, get_settings
from ombuds.surveys.actions import answer_survey
from ombuds.surveys.models import Survey
from ombuds.web.app import create_app
from tests.integration.test_surveys_and_outcomes import write
from tests.support.smtp_server import LoopbackController


class Mailbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Iterator[Mailbox]:
    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
            with box.lock:
                box.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
            return "250 Message accepted for delivery"

    controller = LoopbackController(Handler())
    controller.start()
    port = controller.port
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    monkeypatch.setenv("OMBUDS_ALERTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OMBUDS_ALERTS_SMTP_PORT", str(port))
    monkeypatch.setenv("OMBUDS_ALERTS_PUBLIC_URL", "https://ombuds.example")
    get_settings.cache_clear()
    try:
        yield box
    finally:
        controller.stop()
        get_settings.cache_clear()


def test_the_digest_sends_the_api_s_figures_for_last_week_with_customers_words_masked(
    client: TestClient, session: Session, brand: Brand, mailbox: Mailbox, tmp_path: Path
) -> None:
    _, secret = accounts.create_api_token(session, brand=brand, name="digest")
    session.commit()
    # last week, Monday to Sunday (a brand without business hours keeps UTC's): one complaint
    # resolved and scored 5, one still open
    monday = last_whole_week(utcnow(), timezone="UTC")
    this_monday = datetime.combine(monday, time(), tzinfo=UTC) + timedelta(days=7)
    write(
        session,
        brand,
        text="My booking ref QX7Y92 shows no bag",
        at=this_monday - timedelta(days=6),
        handle="mara",
    )
    happy = write(
        session,
        brand,
        text="Lost my bag on QX7Y92, mail me at mara.lind@example.org",
        at=this_monday - timedelta(days=5),
        handle="mara",
    )
    session.add(
        Enrichment(
            brand_id=brand.id,
            mention_id=happy.id,
            analyzer="category",
            model_version="t",
            label="lost luggage",
            data={},
        )
    )
    waiting = write(session, brand, text="Still no refund", at=this_monday - timedelta(days=2), handle="tom")
    session.add(
        Enrichment(
            brand_id=brand.id,
            mention_id=waiting.id,
            analyzer="sentiment",
            model_version="t",
            label="negative",
            data={},
        )
    )
    case = session.get(Case, happy.case_id)
    assert case is not None
    set_case_status(session, case=case, status=CaseStatus.RESOLVED, at=this_monday - timedelta(days=4))
    survey = session.scalar(select(Survey).where(Survey.case_id == case.id))
    assert survey is not None
    answer_survey(session, token=survey.token, score="5", comment=None, now=this_monday - timedelta(days=3))
    session.commit()

    out, pdf = tmp_path / "digest.html", tmp_path / "digest.pdf"
    sent = CliRunner().invoke(
        app,
        [
            "digest",
            "send",
            "--brand",
            "skyways",
            "--to",
            "ceo@skyways.test",
            "--html",
            str(out),
            "--pdf",
            str(pdf),
        ],
    )
    assert sent.exit_code == 0, sent.output
    assert "sent to ceo@skyways.test" in " ".join(sent.output.split())
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "ceo@skyways.test"
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    html = body.get_content().replace("\r\n", "\n")
    assert html.strip() == out.read_text().strip()  # --html writes what was sent

    week = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}
    api = client.get(
        "/api/v1/metrics/outcomes", params=week, headers=httpx2.Headers({"Authorization": f"Bearer {secret}"})
    ).json()
    assert (api["cases_opened"], api["cases_resolved"], api["resolution_rate"]) == (2, 1, 0.5)
    expected = {
        "Resolution rate": f"{api['resolution_rate'] * 100:.0f}%",  # 50%
        "First-contact resolution": f"{api['first_contact_resolution_rate'] * 100:.0f}%",
        "CSAT": f"{api['csat']['average']:g} / 5",  # 5 / 5
        "Experience debt (positive : negative, 12 : 1 pays it back)": f"{api['experience_debt']['ratio']:g} : 1",
        "Cases resolved (context)": str(api["cases_resolved"]),
    }
    for label, value in expected.items():
        assert (
            f'<td style="padding: 6px 0;">{label}</td><td align="right"><strong>{value}</strong>' in html
        ), label
    attached = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attached) == 1, "the email carries the digest as a PDF"
    assert attached[0].get_filename() == f"digest-{week['from']}.pdf"
    printed = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    for label, value in expected.items():
        assert f"{label} {value}" in printed, f"the PDF shows {label} as the email does"
    assert "The week before" in html
    # one of the three voices, masked: the reference too, which the customer gave in another message
    assert "Lost my bag on [reference], mail me at [email]" in html
    assert "mara.lind" not in message.as_string()
    assert "QX7Y92" not in message.as_string()

    nobody = CliRunner().invoke(app, ["digest", "send", "--brand", "skyways"])
    assert nobody.exit_code == 2
    assert "nobody to send the digest to" in nobody.output
    unknown = CliRunner().invoke(app, ["digest", "send", "--brand", "nowhere", "--to", "a@b.test"])
    assert unknown.exit_code == 2
    assert "nowhere" in unknown.output


def test_prometheus_reads_the_pipeline_alerts_and_sources_with_the_token_only(
    session_factory: sessionmaker[Session], session: Session, brand: Brand, agent: User, tmp_path: Path
) -> None:
    routed = write(session, brand, text="Where is my bag?", at=utcnow() - timedelta(hours=2), handle="ana")
    routed.received_at = utcnow() - timedelta(minutes=10)
    source = session.get(Source, routed.source_id)
    assert source is not None
    source.paused_at = utcnow()
    case = session.get(Case, routed.case_id)
    assert case is not None
    submit_reply(
        session,
        case=case,
        text="Sorry, we are tracing it now.",
        visibility=Visibility.PUBLIC,
        actor=Actor(agent),
    )
    session.commit()
    deliver_due_replies(session_factory)  # no connector here: it waits to be posted by hand

    closed = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(closed) as client:
        assert client.get("/metrics").status_code == 404  # no token set: nothing to read
    app_ = create_app(
        settings=Settings(data_dir=tmp_path, metrics_token="s3cret-scrape"), session_factory=session_factory
    )
    with TestClient(app_) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scrape"}):
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
        scraped = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(scraped.text)}
    stages = {
        s.labels["stage"]: s.value
        for s in families["ombuds_mentions"].samples
        if s.name == "ombuds_mentions_total"
    }
    assert stages["routed"] == 1
    assert stages["detected"] == 0
    lag = {s.labels["stage"]: s.value for s in families["ombuds_pipeline_lag_seconds"].samples}
    assert 590 <= lag["routed"] <= 900  # received ten minutes ago, still waiting for detection
    assert lag["ingested"] == 0
    paused = {s.labels["source"]: s.value for s in families["ombuds_source_paused"].samples}
    assert paused == {source.name: 1.0}
    replies = {s.labels["status"]: s.value for s in families["ombuds_replies_not_out"].samples}
    assert replies == {"to_post": 1.0}
    assert families["ombuds_mentions_failed"].samples[0].value == 0
