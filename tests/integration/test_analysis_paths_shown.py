"""Operators see each analysis path's recent speed and share: in `ombuds pipeline status` and /metrics."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts.models import Brand
from ombuds.cli import app
from ombuds.clock import utcnow
from ombuds.enrichment.actions import record_analysis_pass, wait_for_reread
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.settings import Settings, get_settings
from ombuds.web.app import create_app


def test_pipeline_status_and_metrics_show_each_paths_speed_and_share(
    session_factory: sessionmaker[Session],
    brand: Brand,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = utcnow()
    # Two mentions through the real pipeline: the fast path reads them (no accurate model here).
    incoming = []
    for number, text in enumerate(["my bag never arrived", "thanks for the upgrade"]):
        created = MentionCreate(external_id=str(number), author=f"c{number}", text=text, created_at=now)
        incoming.append(IncomingMention(created, created.model_dump_json().encode(), "json"))
    with session_factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
        ingest_mentions(session, source=source, mentions=incoming)
    run_until_idle(session_factory)
    # What a calm spell and a re-read added, and an hour-old burst that is past the window.
    with session_factory.begin() as session:
        for path, mentions, seconds, at in (
            ("accurate", 198, 2.0, now - timedelta(minutes=3)),
            ("reread", 50, 0.5, now),
            ("fast", 5000, 2.0, now - timedelta(hours=1)),
        ):
            record_analysis_pass(
                session, brand_id=brand.id, path=path, mentions=mentions, seconds=seconds, at=at
            )
        # One mention a burst left for the accurate model to re-read.
        first = session.scalars(select(Mention.id).order_by(Mention.id)).first()
        assert first is not None
        wait_for_reread(session, brand_id=brand.id, mention_ids=[first], at=now)

    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    shown = CliRunner().invoke(app, ["pipeline", "status", "--json"])
    table = CliRunner().invoke(app, ["pipeline", "status"])
    get_settings.cache_clear()
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    assert status["stages"] == {"detected": 2}
    analysis = status["analysis"]
    assert analysis["fast"]["mentions"] == 2
    assert analysis["fast"]["messages_per_second"] > 0
    assert analysis["accurate"]["mentions"] == 198
    assert analysis["accurate"]["messages_per_second"] == pytest.approx(99.0)
    assert analysis["accurate"]["share"] == pytest.approx(0.99)
    assert analysis["fast"]["share"] == pytest.approx(0.01)
    assert analysis["reread"] == {"mentions": 50, "seconds": 0.5, "messages_per_second": 100.0, "share": None}
    assert status["reread_waiting"] == 1
    assert table.exit_code == 0, table.output
    assert "analysis path (last 15 min)" in table.output
    assert "99.0" in table.output
    assert "99%" in table.output
    assert "waiting for the accurate model: 1" in table.output

    scraper = create_app(
        settings=Settings(data_dir=tmp_path, metrics_token="scrape"), session_factory=session_factory
    )
    with TestClient(scraper) as client:
        scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape"})
    assert scraped.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(scraped.text)}
    speed = {s.labels["path"]: s.value for s in families["ombuds_analysis_messages_per_second"].samples}
    share = {s.labels["path"]: s.value for s in families["ombuds_analysis_share"].samples}
    read = {s.labels["path"]: s.value for s in families["ombuds_analysis_mentions"].samples}
    assert speed["accurate"] == pytest.approx(99.0)
    assert speed["reread"] == pytest.approx(100.0)
    assert speed["fast"] > 0
    assert share == pytest.approx({"accurate": 0.99, "fast": 0.01})
    assert read == {"accurate": 198, "fast": 2, "reread": 50}
    assert families["ombuds_analysis_reread_waiting"].samples[0].value == 1
