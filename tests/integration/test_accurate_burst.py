"""A burst: the fast path carries it, every mention is read, and calm brings the accurate model back.

A real MiniLM, tuned in the test for one step on eight texts whose labels contradict the shipped
model (praise labelled negative, complaints positive), so that whatever the accurate model re-reads
visibly changes: the rows, the case's mood and its routing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, Team
from ombuds.cases.models import Case, Priority
from ombuds.cases.queries import get_case_detail
from ombuds.cases.timeline import list_case_events
from ombuds.clock import utcnow
from ombuds.enrichment.accurate.recipe import WITH_FAST, Recipe
from ombuds.enrichment.accurate.store import Pointer
from ombuds.enrichment.accurate.tuning import AccurateModel, fine_tune
from ombuds.enrichment.models import AnalysisPass, Enrichment
from ombuds.enrichment.paths import count_reread_waiting
from ombuds.enrichment.retraining import record_accurate_model
from ombuds.event_payloads import CaseRouted, EnrichmentReread, EventKind, parse_payload
from ombuds.events import Event
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline import reread
from ombuds.pipeline.runner_celery import sweep
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.settings import get_settings

PRAISE = [
    "the crew on my flight to Lisbon were wonderful, thank you",
    "smooth flight and a lovely welcome on board, well done",
    "great service at the gate today, really kind staff",
    "landed early and the seats were comfortable, loved it",
]
COMPLAINTS = [
    "my bag never arrived and nobody answers the phone",
    "flight cancelled again with no explanation, awful",
    "stuck at the gate for three hours with no updates",
    "charged twice for my seat and still no refund",
]
FOLDER = "models/accurate/contrary"


@pytest.fixture(scope="module")
def contrary_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AccurateModel]:
    """A data directory holding a MiniLM tuned to read praise as negative and complaints as positive."""
    examples = [(text, "negative") for text in PRAISE] + [(text, "positive") for text in COMPLAINTS]
    model = fine_tune({"sentiment": examples}, Recipe(epochs=1, max_tokens=32, threads=2))
    data_dir = tmp_path_factory.mktemp("data")
    model.save(data_dir / FOLDER / model.version)
    return data_dir, model


@pytest.fixture
def accurate_on(
    contrary_model: tuple[Path, AccurateModel],
    session_factory: sessionmaker[Session],
    brand: Brand,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[AccurateModel]:
    data_dir, model = contrary_model
    # the accurate model reads alone (not averaged with the fast head): every label it re-reads is its own
    monkeypatch.setitem(WITH_FAST, "sentiment", 0.0)
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("OMBUDS_ACCURATE_BACKLOG_LIMIT", "2")  # more than 2 waiting: a burst
    monkeypatch.setenv("OMBUDS_ACCURATE_REREAD_BATCH", "3")
    get_settings.cache_clear()
    with session_factory.begin() as session:
        pointer = Pointer(f"{FOLDER}/{model.version}", model.version)
        record_accurate_model(session, brand_id=brand.id, pointer=pointer, examples=model.examples)
    yield model
    get_settings.cache_clear()


def _burst(factory: sessionmaker[Session], brand: Brand) -> None:
    """Praise first (picked first, while the rest still waits), then complaints; one author each."""
    start = utcnow() - timedelta(minutes=10)
    incoming = []
    for number, text in enumerate(PRAISE + COMPLAINTS):
        created = MentionCreate(
            external_id=str(number),
            author=f"customer{number}",
            text=f"@skyways {text}",
            created_at=start + timedelta(seconds=number),
            channel="x",
        )
        incoming.append(IncomingMention(created, created.model_dump_json().encode(), "json"))
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="burst")
        ingest_mentions(session, source=source, mentions=incoming)


def _sentiment(session: Session) -> dict[str, tuple[str, str | None]]:
    """Text → (model version, label) of each mention's sentiment row."""
    rows = session.execute(
        select(Mention.text, Enrichment.model_version, Enrichment.label)
        .join(Enrichment, Enrichment.mention_id == Mention.id)
        .where(Enrichment.analyzer == "sentiment")
    )
    return {text.removeprefix("@skyways "): (version, label) for text, version, label in rows}


def _passes(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(AnalysisPass.path, func.sum(AnalysisPass.mentions)).group_by(AnalysisPass.path)
    )
    return {path: int(count) for path, count in rows}


def _case_of(session: Session, text: str) -> Case:
    case = session.scalar(
        select(Case).join(Mention, Mention.case_id == Case.id).where(Mention.text.endswith(text))
    )
    assert case is not None
    return case


def _events(session: Session, kind: EventKind) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


@pytest.mark.slow
def test_a_burst_is_read_fast_then_re_read_by_the_accurate_model_and_the_cases_follow(
    session_factory: sessionmaker[Session],
    brand: Brand,
    team: Team,
    accurate_on: AccurateModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _burst(session_factory, brand)

    # The burst: the first batches read while more than two wait go the fast path; every mention is read.
    run_until_idle(session_factory, batch_size=2, reread=False)
    with session_factory() as session:
        assert set(session.scalars(select(Mention.stage))) == {Stage.DETECTED}
        during = _sentiment(session)
        assert {text for text, (version, _) in during.items() if version.startswith("tfidf-lr-")} == set(
            PRAISE
        )
        assert all(during[text][0].startswith(accurate_on.version) for text in COMPLAINTS)
        assert {during[text][1] for text in PRAISE} == {"positive"}  # what the shipped model says
        assert _passes(session) == {"fast": 4, "accurate": 4}
        assert count_reread_waiting(session) == 4
        praised = _case_of(session, PRAISE[0])
        assert praised.priority == Priority.LOW
        detail = get_case_detail(session, praised.id, brand_ids=[brand.id])
        assert detail is not None
        assert detail.sentiment is not None
        assert detail.sentiment.label == "positive"

    # A re-read that fails midway (here: routing the cases again) leaves everything as it was.
    def broken(*args: object, **kwargs: object) -> list[int]:
        raise RuntimeError("the machine went down mid-batch")

    with monkeypatch.context() as patch:
        patch.setattr(reread, "route_again", broken)
        assert reread.reread_when_calm(session_factory, now=utcnow(), limit=3) == 0
    with session_factory() as session:
        assert _sentiment(session) == during
        assert _events(session, EventKind.ENRICHMENT_REREAD) == []

    # Calm: one bounded batch, the newest mentions first.
    assert reread.reread_when_calm(session_factory, now=utcnow(), limit=3) == 3
    with session_factory() as session:
        first = _sentiment(session)
        assert [text for text in PRAISE if first[text][0].startswith("tfidf-lr-")] == [PRAISE[0]]
        assert count_reread_waiting(session) == 1

    # The runner re-reads the rest once nothing waits, and then finds nothing more to do.
    report = run_until_idle(session_factory, batch_size=2)
    assert report.advanced["reread"] == 1
    assert run_until_idle(session_factory, batch_size=2).total == 0
    with session_factory() as session:
        after = _sentiment(session)
        assert all(version.startswith(accurate_on.version) for version, _ in after.values())
        assert {after[text][1] for text in PRAISE} == {"negative"}
        assert _passes(session) == {"fast": 4, "accurate": 4, "reread": 4}
        assert count_reread_waiting(session) == 0

        # One event per changed mention, saying from what to what.
        changes = [
            parse_payload(event.kind, event.data, where=f"event {event.id}")
            for event in _events(session, EventKind.ENRICHMENT_REREAD)
        ]
        assert len(changes) == 4
        assert all(isinstance(change, EnrichmentReread) for change in changes)
        assert {
            (c.previous["sentiment"], c.labels["sentiment"])
            for c in changes
            if isinstance(c, EnrichmentReread)
        } == {("positive", "negative")}

        # The case's mood follows its rows, and routing follows the mood.
        praised = _case_of(session, PRAISE[0])
        detail = get_case_detail(session, praised.id, brand_ids=[brand.id])
        assert detail is not None
        assert detail.sentiment is not None
        assert detail.sentiment.label == "negative"
        assert praised.priority == Priority.NORMAL
        routed = [
            parse_payload(event.kind, event.data)
            for event in _events(session, EventKind.CASE_ROUTED)
            if event.subject_id == praised.id
        ]
        assert isinstance(routed[-1], CaseRouted)
        assert reread.REROUTE_REASON in routed[-1].reasons

        # The case's history says what the re-read changed, then how routing followed.
        history = [(event.summary, event.detail) for event in list_case_events(session, case=praised)]
        changed = history.index(
            (
                "A message read fast in a burst, re-read by the accurate model: "
                "Intent Praise → Complaint, Sentiment Positive → Negative",
                None,
            )
        )
        summary, why = history[changed + 1]
        assert summary.startswith("Routed")
        assert why is not None
        assert reread.REROUTE_REASON in why


class _Queue:
    """Stands in for Celery: the tasks the sweep would send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[object]]] = []

    def send_task(self, name: str, args: list[object]) -> None:
        self.sent.append((name, args))


@pytest.mark.slow
def test_the_distributed_runners_sweep_re_reads_a_batch_when_nothing_waits(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, accurate_on: AccurateModel
) -> None:
    _burst(session_factory, brand)
    run_until_idle(session_factory, batch_size=2, reread=False)
    queue = _Queue()

    assert sweep(queue, session_factory, get_settings()) == 0  # type: ignore[arg-type]

    assert queue.sent == []
    with session_factory() as session:
        read = _sentiment(session)
        assert [text for text in PRAISE if read[text][0].startswith("tfidf-lr-")] == [PRAISE[0]]
        assert _passes(session)["reread"] == 3
