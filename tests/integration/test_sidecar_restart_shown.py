"""The server's runner starts a sidecar that was killed again, and /metrics says how it is."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from ombuds.pipeline import sidecar as sidecar_module
from ombuds.pipeline.runner_inline import EmbeddedRunner
from ombuds.pipeline.sidecar import Sidecar
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.support.waiting import until

pytestmark = [pytest.mark.slow, pytest.mark.one_database]


def _scrape(client: TestClient) -> dict[str, float]:
    scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape"})
    assert scraped.status_code == 200
    return {
        family.name: family.samples[0].value
        for family in text_string_to_metric_families(scraped.text)
        if family.name.startswith("ombuds_pipeline_sidecar")
    }


def test_a_killed_sidecar_is_started_again_and_metrics_show_it(
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sidecar_module, "RESTART_SECONDS", 0.0)
    sidecar = Sidecar(database_url, batch_size=50)
    runner = EmbeddedRunner(session_factory, batch_size=50, poll_seconds=0.2, sidecar=sidecar)
    app = create_app(
        settings=Settings(data_dir=tmp_path, metrics_token="scrape"), session_factory=session_factory
    )
    app.state.sidecar_state = runner.sidecar_state
    runner.start()
    try:
        with TestClient(app) as client:
            until(lambda: runner.sidecar_state() == (True, 1), "the sidecar did not start")
            assert _scrape(client) == {
                "ombuds_pipeline_sidecar_up": 1.0,
                "ombuds_pipeline_sidecar_starts": 1.0,
            }
            first = sidecar.pid
            assert first is not None

            os.kill(first, signal.SIGKILL)
            until(lambda: runner.sidecar_state() == (True, 2), "the killed sidecar was not started again")

            assert sidecar.pid not in (None, first)
            assert _scrape(client) == {
                "ombuds_pipeline_sidecar_up": 1.0,
                "ombuds_pipeline_sidecar_starts": 2.0,
            }
    finally:
        runner.stop()
    assert runner.sidecar_state() == (False, 2)  # closed with the server


def test_metrics_say_nothing_of_a_sidecar_where_the_runner_has_none(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    runner = EmbeddedRunner(session_factory, batch_size=50, poll_seconds=600)
    app = create_app(
        settings=Settings(data_dir=tmp_path, metrics_token="scrape"), session_factory=session_factory
    )
    app.state.sidecar_state = runner.sidecar_state
    with TestClient(app) as client:
        assert _scrape(client) == {}
