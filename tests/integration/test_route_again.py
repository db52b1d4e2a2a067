"""Routing follows a message's second reading, unless a person already decided the case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, Team, User
from ombuds.cases.lifecycle import Actor, change_priority
from ombuds.cases.models import Case, Priority
from ombuds.clock import utcnow
from ombuds.enrichment.actions import record_reread
from ombuds.enrichment.base import Finding
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.actions import route_again

SURELY_NEGATIVE = Finding(
    "sentiment",
    "minilm-ft-0123456789ab",
    "negative",
    0.9,
    {"probabilities": {"negative": 0.9, "neutral": 0.05, "positive": 0.05}},
)


def _praise_cases(factory: sessionmaker[Session], brand: Brand) -> list[Case]:
    """Two customers' thanks, through the pipeline: two cases of low priority."""
    now = utcnow() - timedelta(minutes=5)
    incoming = []
    for number, author in enumerate(["ana", "ben"]):
        created = MentionCreate(
            external_id=str(number),
            author=author,
            text="@skyways lovely flight, the crew were wonderful",
            created_at=now,
            channel="x",
        )
        incoming.append(IncomingMention(created, created.model_dump_json().encode(), "json"))
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="feed")
        ingest_mentions(session, source=source, mentions=incoming)
    run_until_idle(factory)
    with factory() as session:
        cases = list(session.scalars(select(Case).order_by(Case.id)))
    assert [case.priority for case in cases] == [Priority.LOW, Priority.LOW]
    return cases


def test_a_re_read_case_is_routed_again_once_and_a_persons_priority_stands(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, agent: User
) -> None:
    left_alone, decided = _praise_cases(session_factory, brand)
    with session_factory.begin() as session:  # a person chose the second case's priority
        case = session.get(Case, decided.id)
        assert case is not None
        change_priority(session, case=case, priority=Priority.HIGH, reason="VIP", actor=Actor(agent))

    with session_factory.begin() as session:  # the second reading finds both customers angry
        mentions = session.scalars(select(Mention).order_by(Mention.id)).all()
        record_reread(
            session, brand_id=brand.id, findings={m.id: [SURELY_NEGATIVE] for m in mentions}, now=utcnow()
        )
        changed = route_again(session, case_ids=[left_alone.id, decided.id], reason="re-read", at=utcnow())

    assert changed == [left_alone.id]
    with session_factory.begin() as session:
        assert session.get(Case, left_alone.id).priority == Priority.NORMAL  # type: ignore[union-attr]
        assert session.get(Case, decided.id).priority == Priority.HIGH  # type: ignore[union-attr]
        # The same reading again decides the same: nothing more is written.
        assert route_again(session, case_ids=[left_alone.id, decided.id], reason="re-read", at=utcnow()) == []
