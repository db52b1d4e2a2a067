"""A brand's promise meets its customers: matches with stance and evidence, scores that move, agents who teach.

Real airline complaints go through the whole pipeline, whose last stage matches them to promises.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_api_token, create_brand
from ombuds.accounts.models import Brand, User
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.promises import actions
from ombuds.promises.files import PromiseEntry
from ombuds.promises.models import PromiseMatch, Stance
from ombuds.promises.queries import get_promise_by_key, list_matches_for_mention
from ombuds.promises.scorecard import promise_card
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.conftest import shared_data

pytestmark = pytest.mark.slow

START = datetime(2026, 3, 1, 9, tzinfo=UTC)
PROMISES = [
    PromiseEntry("on-time", "Our flights leave and arrive on time", starts_at=START + timedelta(days=3)),
    PromiseEntry("bags", "Your bags arrive with you"),
    PromiseEntry("crew", "Our crews treat you like family"),
]


def airline_texts(reason: str, count: int, skip: int = 0) -> list[str]:
    with shared_data("airline_dev.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row["text"] for row in csv.DictReader(handle) if row["negativereason"] == reason]
    return rows[skip : skip + count]


def ingest(
    session_factory: sessionmaker[Session], brand: Brand, texts: list[str], *, prefix: str, start: datetime
) -> list[int]:
    with session_factory() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="test", name="tweets")
        incoming = []
        for index, text in enumerate(texts):
            created = MentionCreate(
                external_id=f"{prefix}-{index}",
                author=f"{prefix}{index}",
                text=text,
                created_at=start + timedelta(hours=index),
                channel="twitter",
            )
            incoming.append(IncomingMention(created, json.dumps({"text": text}).encode(), "json"))
        result = ingest_mentions(session, source=source, mentions=incoming)
        session.commit()
    run_until_idle(session_factory)  # its last stage matches the mentions to the brand's promises
    return result.ids


@pytest.fixture
def promised(session: Session, brand: Brand) -> Brand:
    actions.import_promises(session, brand=brand, entries=PROMISES)
    session.commit()
    return brand


def test_late_flights_contradict_the_on_time_promise_with_evidence(
    session_factory: sessionmaker[Session], session: Session, promised: Brand
) -> None:
    late = airline_texts("Late Flight", 12)
    ids = ingest(session_factory, promised, late, prefix="late", start=START)
    on_time = get_promise_by_key(session, promised.id, "on-time")
    assert on_time is not None
    matches = list(session.scalars(select(PromiseMatch).where(PromiseMatch.mention_id.in_(ids))))
    to_on_time = [m for m in matches if m.promise_id == on_time.id]
    assert len(to_on_time) >= 6
    assert sum(m.stance is Stance.CONTRADICTS for m in to_on_time) >= len(to_on_time) // 2
    for match in to_on_time:
        mention = session.get(Mention, match.mention_id)
        assert mention is not None
        assert mention.text[match.evidence_start : match.evidence_end] == match.evidence
        assert match.model_version.startswith("minilm")


def test_the_score_falls_when_contradicting_experiences_arrive(
    session_factory: sessionmaker[Session], session: Session, promised: Brand
) -> None:
    praise = [
        "Landed ten minutes early, thank you, great job!",
        "Departed right on schedule and arrived early, love it",
        "On time again, thanks for a smooth flight",
        "Another punctual flight, well done, thanks",
    ]
    ingest(session_factory, promised, praise, prefix="praise", start=START)
    on_time = get_promise_by_key(session, promised.id, "on-time")
    assert on_time is not None
    before = promise_card(session, on_time, now=START + timedelta(days=10)).overall
    ingest(
        session_factory,
        promised,
        airline_texts("Late Flight", 15, skip=20),
        prefix="late",
        start=START + timedelta(days=4),
    )
    session.expire_all()
    card = promise_card(session, on_time, now=START + timedelta(days=10))
    assert before.score is not None
    assert card.overall.score is not None
    assert card.overall.score < before.score - 0.2
    assert card.contradicting > before.voices
    assert card.cases, "contradicting mentions lead to their cases"
    assert card.alerts
    assert "since the campaign launched" in card.alerts[0].message


def test_themes_as_common_as_each_other_come_in_name_order_on_every_load(
    session_factory: sessionmaker[Session], session: Session, promised: Brand
) -> None:
    ingest(session_factory, promised, airline_texts("Late Flight", 12), prefix="late", start=START)
    on_time = get_promise_by_key(session, promised.id, "on-time")
    assert on_time is not None
    contradicting = sorted(
        session.scalars(
            select(PromiseMatch.mention_id).where(
                PromiseMatch.promise_id == on_time.id, PromiseMatch.stance == Stance.CONTRADICTS
            )
        )
    )
    assert len(contradicting) >= 2
    # as many of one category as of the other, the later name read first
    for index, mention_id in enumerate(contradicting):
        label = None if index == len(contradicting) - 1 and index % 2 == 0 else ("Zeta", "Alpha")[index % 2]
        session.execute(
            update(Enrichment)
            .where(Enrichment.mention_id == mention_id, Enrichment.analyzer == "category")
            .values(label=label)
        )
    session.commit()
    card = promise_card(session, on_time, now=START + timedelta(days=10))
    assert [name for name, _ in card.themes] == ["Alpha", "Zeta"]


def test_an_agents_correction_changes_how_a_similar_message_is_matched(
    session_factory: sessionmaker[Session], session: Session, promised: Brand, agent: User
) -> None:
    first = "The wifi on board never works and the seat screen was broken the whole way"
    [mention_id] = ingest(session_factory, promised, [first], prefix="wifi", start=START)
    crew = get_promise_by_key(session, promised.id, "crew")
    assert crew is not None
    assert list_matches_for_mention(session, mention_id) == [], "the matcher misses it on its own"
    mention = session.get(Mention, mention_id)
    assert mention is not None
    actions.assign_match(session, mention=mention, promise=crew, actor=agent, stance=Stance.CONTRADICTS)
    session.commit()
    similar = "The wifi on board never works and my seat screen was broken for the whole flight"
    [later_id] = ingest(
        session_factory, promised, [similar], prefix="wifi-again", start=START + timedelta(days=1)
    )
    session.expire_all()
    later = list_matches_for_mention(session, later_id)
    assert later
    assert later[0].promise_id == crew.id
    assert later[0].data["via_example"] is True


def test_machines_read_the_scorecard_of_their_own_brand_only(
    session_factory: sessionmaker[Session], session: Session, promised: Brand, tmp_path: Path
) -> None:
    ingest(session_factory, promised, airline_texts("Late Flight", 10), prefix="late", start=START)
    _, token = create_api_token(session, brand=promised, name="exec dashboard")
    other = create_brand(session, slug="rival", name="Rival Air")
    session.commit()
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        answer = client.get("/api/v1/promises/scorecard", headers=headers)
        hidden = client.get(f"/api/v1/promises/scorecard?brand={other.slug}", headers=headers)
    assert answer.status_code == 200, answer.text
    cards = {card["promise"]["key"]: card for card in answer.json()["promises"]}
    assert set(cards) == {"on-time", "bags", "crew"}
    on_time = cards["on-time"]
    assert on_time["contradicting"] >= 5
    assert on_time["alignment"]["low"] <= on_time["alignment"]["score"] <= on_time["alignment"]["high"]
    assert on_time["contradicting_case_ids"], "the gap links to the cases that contradict the promise"
    assert hidden.status_code == 404
