"""Routed mentions reach the detectors; a burst becomes one incident that grows, on the timeline.

Two days of the real SpotifyCares inbound stream go through the pipeline; on the second day
forty people quote one customer's message within half an hour.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, Team
from ombuds.enrichment import meaning
from ombuds.events import Event
from ombuds.incidents import actions, queries
from ombuds.incidents.models import (
    Alert,
    AlertKind,
    DetectorState,
    Incident,
    IncidentMention,
    IncidentStatus,
)
from ombuds.incidents.stage import detect
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.datasets import read_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.pipeline.stages import STAGES
from tests.conftest import shared_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stream() -> list[MentionCreate]:
    """Two days of the real stream, with an injected echo burst on the second."""
    return _with_burst(hours=44)


def _with_burst(*, hours: int) -> list[MentionCreate]:
    """``hours`` of the real stream from 4 October 2017, with an echo burst 40 hours in."""
    path = shared_data("twcs_spotifycares_inbound_dev.csv")
    mentions = sorted(
        (m.mention for m in read_mentions(path, preset="twcs", brand="x")), key=lambda m: m.created_at
    )
    start = next(
        m.created_at
        for m in mentions
        if m.created_at.year == 2017 and m.created_at.month == 10 and m.created_at.day >= 4
    )
    days = [m for m in mentions if start <= m.created_at < start + timedelta(hours=hours)]
    rng = random.Random(4)
    quoted = next(m for m in days if len(m.text) > 60 and m.created_at > start + timedelta(days=1))
    burst_start = start + timedelta(hours=40)
    reactions = ["this!!", "same here", "wow", "seriously?", "me too", "ugh", "not again", "+1"]
    burst = [
        MentionCreate(
            external_id=f"burst-{index}",
            author=f"fan{index}",
            text=f"{rng.choice(reactions)} “{quoted.text}”",
            created_at=burst_start + timedelta(seconds=rng.uniform(0, 1800) if index else 0),
            channel="twitter",
        )
        for index in range(40)
    ]
    return sorted([*days, *burst], key=lambda m: m.created_at)


def _incoming(mention: MentionCreate) -> IncomingMention:
    return IncomingMention(mention=mention, raw=mention.model_dump_json().encode(), raw_format="json")


def _ingest(factory: sessionmaker[Session], brand: Brand, mentions: Sequence[MentionCreate]) -> None:
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="import", name="import:twcs")
        ingest_mentions(session, source=source, mentions=[_incoming(m) for m in mentions])


def _detect_in_batches(factory: sessionmaker[Session], brand: Brand, *, size: int = 250) -> list[int]:
    with factory() as session:
        ids = list(session.scalars(select(Mention.id).order_by(Mention.created_at, Mention.id)))
    touched: list[int] = []
    for start in range(0, len(ids), size):
        with factory.begin() as session:
            batch = list(session.scalars(select(Mention).where(Mention.id.in_(ids[start : start + size]))))
            now = max(m.created_at for m in batch)
            touched += [
                incident.id for incident in detect(session, brand_id=brand.id, mentions=batch, now=now)
            ]
    return touched


@pytest.fixture
def replayed(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, stream: list[MentionCreate]
) -> Brand:
    _ingest(session_factory, brand, stream)
    report = run_until_idle(session_factory)  # detection is the pipeline's last stage
    assert report.failed == 0
    assert report.advanced["detect"] == len(stream)
    return brand


def _burst_start(stream: Sequence[MentionCreate]) -> datetime:
    return min(m.created_at for m in stream if m.external_id.startswith("burst-"))


def test_a_burst_opens_one_incident_within_minutes_that_the_same_mentions_do_not_grow_again(
    session_factory: sessionmaker[Session], replayed: Brand, stream: list[MentionCreate]
) -> None:
    with session_factory() as session:
        incidents = list(session.scalars(select(Incident).where(Incident.brand_id == replayed.id)))
        assert len(incidents) == 1
        incident = incidents[0]
        assert incident.opened_at - _burst_start(stream) <= timedelta(minutes=15)
        assert incident.status in (IncidentStatus.WATCHING, IncidentStatus.ACTIVE)
        linked = set(
            session.scalars(
                select(Mention.external_id)
                .join(IncidentMention, IncidentMention.mention_id == Mention.id)
                .where(IncidentMention.incident_id == incident.id)
            )
        )
        assert len({e for e in linked if e.startswith("burst-")}) >= 35
        assert incident.mention_count == len(linked)
        quoted = stream[[m.external_id for m in stream].index("burst-0")].text.split("“", 1)[1]
        assert quoted[:40] in incident.representative_text
        kinds = [entry.kind for entry in queries.incident_timeline(session, incident=incident)]
        assert kinds[0] == "opened"
        assert "grew" in kinds
        in_app = session.scalars(
            select(Alert)
            .where(Alert.incident_id == incident.id, Alert.kind == AlertKind.IN_APP)
            .order_by(Alert.id)
        )
        assert next(alert.reason for alert in in_app) == "opened"
        links = session.scalar(select(func.count()).select_from(IncidentMention))
        events = session.scalar(
            select(func.count()).select_from(Event).where(Event.subject_type == "incident")
        )

    # the same mentions fed again, in other batches, change nothing
    _detect_in_batches(session_factory, replayed, size=400)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(IncidentMention)) == links
        assert (
            session.scalar(select(func.count()).select_from(Event).where(Event.subject_type == "incident"))
            == events
        )
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_a_brand_s_detectors_as_stored_link_people_by_meaning(
    session_factory: sessionmaker[Session], replayed: Brand
) -> None:
    """Read back from the database (as the stage and a change of settings read it), a brand's
    monitor links people who agree by what they mean, not only by the rare words they share."""
    with session_factory() as session:
        row = session.get(DetectorState, replayed.id)
        assert row is not None
        assert row.state is not None
        monitor = actions.stored_monitor(session, row.state)
    assert monitor.detectors.meaning is not None
    lost, gone, crash = monitor.detectors.meaning.read(
        [
            "@x all my offline playlists got wiped overnight",
            "lost all downloaded songs, have to download everything again",
            "the app crashes as soon as I open it",
        ]
    )
    assert lost @ gone > lost @ crash + 0.1


def test_the_sentence_model_loads_while_no_transaction_holds_the_database(
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    stream: list[MentionCreate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The detectors' first need of the sentence model (seconds to load) comes inside the
    pipeline's transaction; the runner undoes it and loads the model first, so a mention
    accepted during the load commits at once (on SQLite it would wait for the one writer) and
    the stream's mentions are all detected once."""
    meaning.meaning_reader.cache_clear()
    engine = session_factory.kw["bind"]
    during_load: list[tuple[int, int]] = []  # (connections in use, mentions accepted) at each load

    class Watched(meaning.MeaningReader):
        def __init__(self, threads: int = 1) -> None:
            in_use = engine.pool.checkedout() - held_by_the_test
            with session_factory.begin() as session:  # an acceptance, as an API call makes one
                source = get_or_create_source(session, brand_id=brand.id, kind="api", name="api")
                accepted = ingest_mentions(session, source=source, mentions=[_incoming(late)])
            during_load.append((in_use, accepted.imported))
            super().__init__(threads)

    late = stream[-1].model_copy(update={"external_id": "during-the-load", "author": "late"})
    monkeypatch.setattr(meaning, "MeaningReader", Watched)
    _ingest(session_factory, brand, stream)
    held_by_the_test = engine.pool.checkedout()  # the fixtures' session
    report = run_until_idle(session_factory)
    assert during_load == [(0, 1)]
    assert report.failed == 0
    assert report.advanced["detect"] == len(stream) + 1
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_a_storm_over_and_forgotten_within_one_batch_is_still_an_incident(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    """A batch spanning days (a replay, the demo, catching up after downtime): the burst's storm
    opens, goes quiet and is forgotten by the detectors before the batch ends."""
    stream = _with_burst(hours=80)
    _ingest(session_factory, brand, stream)
    report = run_until_idle(session_factory, batch_size=len(stream))
    assert report.failed == 0
    with session_factory() as session:
        burst = select(Mention.id).where(Mention.external_id.like("burst-%"))
        holding = set(
            session.scalars(select(IncidentMention.incident_id).where(IncidentMention.mention_id.in_(burst)))
        )
        assert len(holding) == 1
        incident = session.get(Incident, holding.pop())
        assert incident is not None
        assert incident.opened_at - _burst_start(stream) <= timedelta(minutes=15)
        assert incident.mention_count >= 35


def test_a_rolled_back_batch_leaves_the_detectors_as_they_were(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, stream: list[MentionCreate]
) -> None:
    _ingest(session_factory, brand, stream)
    run_until_idle(session_factory, stages=STAGES[:-1])  # up to routing; detection by hand below
    with session_factory() as session:
        ids = list(session.scalars(select(Mention.id).order_by(Mention.created_at, Mention.id)))
    with session_factory() as session:
        batch = list(
            session.scalars(
                select(Mention).where(Mention.id.in_(ids[:300])).order_by(Mention.created_at, Mention.id)
            )
        )
        detect(session, brand_id=brand.id, mentions=batch, now=batch[-1].created_at)
        session.rollback()
    with session_factory() as session:
        assert session.get(DetectorState, brand.id) is None
    _detect_in_batches(session_factory, brand)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_a_resolved_incident_keeps_its_figures_and_never_grows_again(
    session_factory: sessionmaker[Session], replayed: Brand, stream: list[MentionCreate]
) -> None:
    with session_factory.begin() as session:
        incident = session.scalars(select(Incident)).one()
        incident_id = incident.id
        later = incident.updated_at + timedelta(minutes=5)
        actions.add_note(
            session, incident=incident, text="Statement agreed with legal", actor_id=None, now=later
        )
        actions.change_status(
            session, incident=incident, status=IncidentStatus.RESOLVED, actor_id=None, now=later
        )
        count = incident.mention_count
    with session_factory() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.summary is not None
        assert incident.summary["mention_count"] == count
        assert incident.summary["affected_customers"] >= 35
        assert set(incident.summary["sentiment"]) <= {"negative", "neutral", "positive", "unknown"}
        kinds = [entry.kind for entry in queries.incident_timeline(session, incident=incident)]
        assert [kind for kind in kinds if kind in ("note", "status_changed")][-2:] == [
            "note",
            "status_changed",
        ]
    more = [
        MentionCreate(
            external_id=f"late-{index}",
            author=f"late{index}",
            text=stream[[m.external_id for m in stream].index("burst-0")].text,
            created_at=_burst_start(stream) + timedelta(hours=1, minutes=index),
            channel="twitter",
        )
        for index in range(10)
    ]
    _ingest(session_factory, replayed, more)
    run_until_idle(session_factory)
    with session_factory() as session:
        resolved = session.get(Incident, incident_id)
        assert resolved is not None
        assert resolved.status is IncidentStatus.RESOLVED
        assert resolved.mention_count == count
        # the same words flaring up again after PR closed it are a new incident, not a reopened one
        flare_ups = session.scalars(select(Incident).where(Incident.id != incident_id)).all()
        assert all(flare.status is IncidentStatus.WATCHING for flare in flare_ups)
