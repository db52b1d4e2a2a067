"""The sidecar (``pipeline.sidecar``): a second process computes analysis and detection while the
runner writes. Whatever happens to it, the desk ends as the runner alone would leave it: the same
labels, cases and incidents, every mention through once."""

from __future__ import annotations

import os
import shutil
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_brand, create_team
from ombuds.clock import utcnow
from ombuds.db import make_engine, make_session_factory, transaction
from ombuds.enrichment.findings import SignalsData
from ombuds.enrichment.models import Enrichment
from ombuds.events import Event
from ombuds.incidents.models import Incident, IncidentMention
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.metrics import rollup
from ombuds.pipeline import sidecar as sidecar_module
from ombuds.pipeline.runner_inline import PipelineReport, run_round, run_until_idle
from ombuds.pipeline.sidecar import Sidecar
from ombuds.pipeline.stages import STAGES
from ombuds_lab.pipeline_bench import load_mentions
from tests.conftest import shared_data
from tests.support.waiting import until

pytestmark = pytest.mark.slow

BATCH = 250
COUNT = 1500  # six batches of a busy afternoon: enough for the detectors to open incidents


@dataclass(frozen=True)
class Desk:
    """What the desk shows after the pipeline, by the mentions' own ids (not the database's)."""

    labels: dict[tuple[str, str], str | None]
    cases: set[frozenset[str]]
    incidents: dict[int, tuple[str, frozenset[str]]]
    stages: dict[str, Stage]


@pytest.fixture
def reference_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh database of the same kind, for the runner alone."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "alone.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    pool = request.getfixturevalue("postgres_databases")
    name = pool.take()
    yield pool.server.url(name)
    pool.give_back(name)


Accepted = Callable[[str], sessionmaker[Session]]


@pytest.fixture
def accepted() -> Iterator[Accepted]:
    """``accepted(url)``: the database with one brand and the airline file's first mentions
    accepted, none processed; its engine is closed after the test."""
    engines: list[Engine] = []

    def accept(url: str) -> sessionmaker[Session]:
        engines.append(make_engine(url))
        return _accept(make_session_factory(engines[-1]))

    yield accept
    for engine in engines:
        engine.dispose()


def _accept(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    rollup.install()
    incoming = load_mentions(shared_data("airline_dev.csv"), COUNT)
    with transaction(factory) as session:
        brand = create_brand(session, slug="skyways", name="Skyways")
        create_team(session, brand=brand, slug="care", name="Care", is_default=True)
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="tweets")
        ingest_mentions(session, source=source, mentions=incoming)
    return factory


def _desk(factory: sessionmaker[Session]) -> Desk:
    with factory() as session:
        external = dict(session.execute(select(Mention.id, Mention.external_id)).all())
        labels = {
            (external[mention_id], analyzer): label
            for mention_id, analyzer, label in session.execute(
                select(Enrichment.mention_id, Enrichment.analyzer, Enrichment.label)
            )
        }
        by_case: dict[int, set[str]] = {}
        for mention_id, case_id in session.execute(select(Mention.id, Mention.case_id)):
            if case_id is not None:
                by_case.setdefault(case_id, set()).add(external[mention_id])
        linked: dict[int, set[str]] = {}
        for incident_id, mention_id in session.execute(
            select(IncidentMention.incident_id, IncidentMention.mention_id)
        ):
            linked.setdefault(incident_id, set()).add(external[mention_id])
        incidents = {
            storm_id: (title, frozenset(linked.get(incident_id, ())))
            for incident_id, storm_id, title in session.execute(
                select(Incident.id, Incident.storm_id, Incident.title)
            )
        }
        stages = {external[m]: stage for m, stage in session.execute(select(Mention.id, Mention.stage))}
    return Desk(labels, {frozenset(c) for c in by_case.values()}, incidents, stages)


def _alone(
    accepted: Accepted, url: str, prepare: Callable[[sessionmaker[Session]], object] = lambda factory: None
) -> Desk:
    factory = accepted(url)
    prepare(factory)
    run_until_idle(factory, batch_size=BATCH, reread=False)
    return _desk(factory)


@pytest.fixture
def sidecar(database_url: str) -> Iterator[Sidecar]:
    sidecar = Sidecar(database_url, batch_size=BATCH)
    yield sidecar
    sidecar.close()


def test_with_the_sidecar_the_desk_ends_as_with_the_runner_alone(
    database_url: str, reference_url: str, sidecar: Sidecar, accepted: Accepted
) -> None:
    factory = accepted(database_url)
    assert sidecar.start()

    report = run_until_idle(factory, batch_size=BATCH, reread=False, sidecar=sidecar)

    desk = _desk(factory)
    assert report.advanced["detect"] == COUNT
    assert set(desk.stages.values()) == {Stage.DETECTED}
    assert desk.incidents, "the airline afternoon opens incidents: the comparison means something"
    assert desk == _alone(accepted, reference_url)


def _ready_again(sidecar: Sidecar) -> None:
    """Ask, as each round does, until the sidecar started again has loaded its models."""

    def asked() -> bool:
        sidecar.keep_alive()
        return sidecar.alive

    until(asked, "the sidecar was not started again")


@pytest.mark.one_database
def test_a_sidecar_killed_mid_run_is_started_again_and_the_desk_ends_as_alone(
    database_url: str, reference_url: str, accepted: Accepted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sidecar_module, "RESTART_SECONDS", 0.0)
    sidecar = Sidecar(database_url, batch_size=BATCH)
    factory = accepted(database_url)
    try:
        assert sidecar.start()
        report = PipelineReport()
        for _ in range(2):  # one batch read ahead and one with the detectors when the sidecar dies
            run_round(factory, STAGES, batch_size=BATCH, now=utcnow(), report=report, sidecar=sidecar)
        assert sidecar.owes
        killed = sidecar.pid
        assert killed is not None

        os.kill(killed, signal.SIGKILL)
        run_until_idle(factory, batch_size=BATCH, reread=False, sidecar=sidecar)

        desk = _desk(factory)
        assert set(desk.stages.values()) == {Stage.DETECTED}
        assert desk == _alone(accepted, reference_url)
        # the rounds after the kill started another: it takes work once its models are loaded
        assert sidecar.starts == 2
        _ready_again(sidecar)
        assert sidecar.pid not in (None, killed)

        # one that dies while nothing waits is noticed before the next round and started again
        idle = sidecar.pid
        assert idle is not None
        os.kill(idle, signal.SIGKILL)
        until(lambda: not sidecar.alive, "the killed sidecar still runs")
        run_until_idle(factory, batch_size=BATCH, reread=False, sidecar=sidecar)
        _ready_again(sidecar)
        assert sidecar.starts == 3
        assert sidecar.pid not in (None, killed, idle)
    finally:
        sidecar.close()


def _refuse_one_analysis(factory: sessionmaker[Session]) -> str:
    """A database that refuses the analysis of one mention of the second batch (a trigger: the
    kind of failure a real disk or constraint gives a round in the middle); its external id."""
    with factory() as session:
        mention_id, external_id = session.execute(
            select(Mention.id, Mention.external_id).order_by(Mention.id).offset(BATCH + 7).limit(1)
        ).one()
        session.execute(
            text(
                "CREATE TRIGGER refuse_one BEFORE INSERT ON enrichment "
                f"WHEN NEW.mention_id = {int(mention_id)} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
        session.commit()
    return str(external_id)


@pytest.mark.one_database
def test_a_round_undone_with_a_batch_at_the_detectors_loses_and_doubles_nothing(
    database_url: str, reference_url: str, sidecar: Sidecar, accepted: Accepted
) -> None:
    factory = accepted(database_url)
    refused = _refuse_one_analysis(factory)
    assert sidecar.start()

    run_until_idle(factory, batch_size=BATCH, reread=False, sidecar=sidecar)

    desk = _desk(factory)
    assert desk.stages.pop(refused) is Stage.FAILED
    assert set(desk.stages.values()) == {Stage.DETECTED}
    with factory() as session:
        failed = session.scalars(select(Event.kind).where(Event.kind == "pipeline.failed")).all()
    assert failed == ["pipeline.failed"]
    alone = _alone(accepted, reference_url, _refuse_one_analysis)
    assert desk.labels == alone.labels
    assert desk.cases == alone.cases
    assert desk.incidents == alone.incidents


@pytest.mark.one_database
def test_an_author_writing_again_while_the_sidecar_reads_ahead_is_read_with_it(
    database_url: str, sidecar: Sidecar, accepted: Accepted
) -> None:
    """The sidecar reads the next batch while the round threads and routes; a message its author
    sends meanwhile (the same words an hour earlier: a repeat contact) must count as it would
    for the runner alone, not be missed because the sidecar read before it came."""
    factory = accepted(database_url)
    assert sidecar.start()
    run_round(factory, STAGES, batch_size=BATCH, now=utcnow(), report=PipelineReport(), sidecar=sidecar)
    with transaction(factory) as session:
        waiting = session.scalars(
            select(Mention).where(Mention.stage == Stage.INGESTED).order_by(Mention.id).limit(BATCH)
        ).all()
        handles = Counter(session.scalars(select(Mention.author_handle)))
        target = next(
            m for m in waiting if m.direction is Direction.INBOUND and handles[m.author_handle] == 1
        )
        again = MentionCreate(
            external_id=f"{target.external_id}-again",
            author_handle=target.author_handle,
            text=target.text,
            created_at=target.created_at - timedelta(hours=1),
            channel=target.channel,
        )
        source = session.get(Source, target.source_id)
        assert source is not None
        ingest_mentions(session, source=source, mentions=[IncomingMention(again, b"{}", "json")])

    run_until_idle(factory, batch_size=BATCH, reread=False, sidecar=sidecar)

    with factory() as session:
        found = session.scalar(
            select(Enrichment.data).where(
                Enrichment.mention_id == target.id, Enrichment.analyzer == "signals"
            )
        )
    assert "repeat_contact" in SignalsData.parse(found).names
