"""Every stage can run again: mentions sent back to the start come out the same, and people's work stands.

An operator re-queues mentions by setting their stage back (ADR 0001); a crashed worker's batch is
taken again. Either way the second pass must change nothing anyone can see: no second case or
customer, no duplicate analysis, no repeated event, no incident or promise counted twice, and no
person's correction, team change or resolution undone.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.actions import create_team
from ombuds.accounts.models import Brand, Team, User
from ombuds.cases.lifecycle import Actor, change_status, correct_mention, move_case_to_team
from ombuds.cases.models import Case, CaseStatus
from ombuds.db import Base
from ombuds.enrichment.models import Enrichment
from ombuds.incidents.models import DetectorState
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention, Stage
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.promises.actions import import_promises
from ombuds.promises.files import PromiseEntry
from ombuds.promises.models import PromiseMatch
from ombuds.routing.actions import create_rule

pytestmark = pytest.mark.slow  # the promise matcher loads its sentence encoder

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _incoming(external_id: str, author: str, text: str, at: datetime, **extra: Any) -> IncomingMention:
    created = MentionCreate(external_id=external_id, author=author, text=text, created_at=at, **extra)
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def _story() -> list[IncomingMention]:
    """A day of a desk: a conversation, late flights against a promise, then a burst of echoes.

    (A young brand's detectors are still warming up, so the burst opens no incident; their state is
    in the dump all the same.)
    """
    minute = timedelta(minutes=1)
    mentions = [
        _incoming(
            "c1", "mara", "@Skyways my bag never arrived in Lisbon, day 3", T0, channel="x", followers=420
        ),
        _incoming(
            "c2",
            "Skyways",
            "@mara so sorry Mara, please DM us your file reference",
            T0 + 20 * minute,
            channel="x",
            direction="outbound",
            in_reply_to="c1",
        ),
        _incoming(
            "c3", "mara", "@Skyways sent it. still no bag", T0 + 35 * minute, channel="x", in_reply_to="c2"
        ),
        _incoming(
            "c4", "leo", "Flight was smooth and the crew were lovely, thanks @Skyways!", T0 + 50 * minute
        ),
        _incoming(
            "c5", "kim@example.org", "Where is my refund? Six weeks now.", T0 + 60 * minute, channel="email"
        ),
        _incoming("c6", "leo", "RT @mara my bag never arrived in Lisbon, day 3", T0 + 70 * minute),
    ]
    late = [
        "flight SK210 delayed three hours again, nobody at the gate told us anything",
        "another late departure, missed my connection in Frankfurt",
        "we sat on the tarmac for two hours, your flights are never on time",
    ]
    mentions += [
        _incoming(f"late{index}", f"flyer{index}", text, T0 + (2 + index) * 60 * minute)
        for index, text in enumerate(late)
    ]
    rng = random.Random(9)
    reactions = ["this!!", "same here", "wow", "seriously?", "me too", "ugh", "not again", "+1"]
    quoted = "Skyways cancelled every flight out of Lisbon and the app says nothing, hundreds stranded"
    burst_at = T0 + 8 * 60 * minute
    mentions += [
        _incoming(
            f"burst{index}",
            f"fan{index}",
            f"{rng.choice(reactions)} “{quoted}”",
            burst_at + timedelta(seconds=rng.uniform(0, 1800)),
        )
        for index in range(40)
    ]
    return mentions


def _ingest(factory: sessionmaker[Session], brand: Brand, mentions: Sequence[IncomingMention]) -> None:
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=mentions)


#: Tables that count the work done, not what it made: a rerun reads again, and is counted.
WORK_COUNTED = {"analysis_pass"}


def _dump(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: the whole database as a user could ever see it."""
    with factory() as session:
        dump = {}
        for table in Base.metadata.sorted_tables:
            if table.name in WORK_COUNTED:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            dump[table.name] = [tuple(row) for row in session.execute(select(table).order_by(*order))]
        return dump


def _people_work(factory: sessionmaker[Session], brand: Brand, agent: User) -> None:
    """What the desk did after the first pass, which a second pass must not undo."""
    actor = Actor(agent)
    with factory.begin() as session:
        mara = session.scalars(select(Case).where(Case.subject.contains("bag"))).one()
        leo = session.scalars(select(Case).where(Case.subject.contains("crew"))).one()
        first = session.scalars(select(Mention).where(Mention.external_id == "c1")).one()
        correct_mention(session, case=mara, mention=first, labels={"category": "lost luggage"}, actor=actor)
        baggage = session.scalars(select(Team).where(Team.slug == "baggage")).one()
        move_case_to_team(session, case=mara, team=baggage, actor=actor)
        change_status(session, case=leo, status=CaseStatus.RESOLVED, actor=actor, note="thanked")


def test_every_stage_run_again_on_processed_mentions_changes_nothing(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, agent: User
) -> None:
    with session_factory.begin() as session:
        found = session.get(Brand, brand.id)
        assert found is not None
        desk = create_team(session, brand=found, slug="priority", name="Priority desk")
        create_team(session, brand=found, slug="baggage", name="Baggage")
        create_rule(session, brand_id=brand.id, name="public fires", team=desk, channels=["x"])
        import_promises(
            session,
            brand=found,
            entries=[
                PromiseEntry("on-time", "Our flights leave and arrive on time"),
                PromiseEntry("bags", "Your bags arrive with you"),
            ],
        )
    _ingest(session_factory, brand, _story())
    first = run_until_idle(session_factory, batch_size=7)
    assert first.failed == 0
    _people_work(session_factory, brand, agent)
    before = _dump(session_factory)
    with session_factory() as session:  # the pass really made what a rerun could double
        assert session.scalars(select(PromiseMatch)).first() is not None
        assert session.scalars(select(Enrichment).where(Enrichment.model_version == "correction")).first()
        assert len(list(session.scalars(select(Case)))) >= 4
        assert session.scalars(select(DetectorState.state)).first(), "the detectors remember what they saw"

    with session_factory.begin() as session:  # the operator sends every mention back to the start
        session.execute(update(Mention).values(stage=Stage.INGESTED))
    again = run_until_idle(session_factory, batch_size=7)

    assert again.failed == 0, "a rerun failed mentions"
    assert again.advanced["detect"] == len(before["mention"])
    after = _dump(session_factory)
    changed = {name for name in before if before[name] != after[name]}
    assert not changed, f"a rerun changed {sorted(changed)}: " + "; ".join(
        f"{name}: {sorted(set(after[name]) ^ set(before[name]), key=repr)[:4]}" for name in sorted(changed)
    )
