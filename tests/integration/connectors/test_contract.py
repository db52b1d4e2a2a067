"""The contract every connector kind keeps, run through the real poller on a real database.

Each kind brings a scenario (``scenarios/``, read its docstring to add one): the test fetches,
resumes from the stored cursor, drops repeats, honours a rate limit, keeps a malformed record as a
dead letter, and sends a reply through the kind's sink where it has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.clock import utcnow
from ombuds.connectors.base import OutgoingReply
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import open_config, secret_box
from ombuds.mentions.models import Mention, Source
from ombuds.sources.actions import add_source
from ombuds.sources.models import DeadLetter, SourceState
from ombuds.sources.poller import poll_source
from tests.integration.connectors.scenarios import Scenario, all_scenarios

BOX = secret_box("contract-test-key-" * 3)
SCENARIOS = all_scenarios()


@pytest.fixture(params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return SCENARIOS[request.param]()


@pytest.fixture
def running(scenario: Scenario) -> Iterator[dict[str, Any]]:
    with scenario.start() as config:
        yield config


def _add(
    session_factory: sessionmaker[Session], brand: Brand, scenario: Scenario, config: dict[str, Any]
) -> int:
    with session_factory.begin() as session:
        source = add_source(
            session, brand_id=brand.id, kind=get_kind(scenario.kind), name="contract", config=config, box=BOX
        )
        return source.id


def _external_ids(session: Session, source_id: int) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(Mention.external_id).where(Mention.source_id == source_id)))


def test_fetches_resumes_from_the_stored_cursor_and_keeps_each_message_once(
    scenario: Scenario,
    running: dict[str, Any],
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
) -> None:
    first = [scenario.add_record(1), scenario.add_record(2)]
    source_id = _add(session_factory, brand, scenario, running)

    polled = poll_source(session_factory, source_id=source_id, box=BOX)
    assert (polled.imported, polled.errors) == (2, 0)
    assert _external_ids(session, source_id) == sorted(first)
    cursor = session.scalar(select(Source.cursor).where(Source.id == source_id))
    assert cursor is not None, "the cursor is stored with the mentions"

    third = scenario.add_record(3)
    again = poll_source(session_factory, source_id=source_id, box=BOX)
    assert again.imported == 1
    assert _external_ids(session, source_id) == sorted([*first, third])

    idle = poll_source(session_factory, source_id=source_id, box=BOX)
    assert idle.imported == 0
    assert (
        session.scalar(select(func.count()).select_from(Mention).where(Mention.source_id == source_id)) == 3
    )


def test_a_rate_limit_is_waited_out_and_a_malformed_record_becomes_a_dead_letter(
    scenario: Scenario,
    running: dict[str, Any],
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
) -> None:
    scenario.add_record(1)
    source_id = _add(session_factory, brand, scenario, running)
    scenario.rate_limit_next(120)

    before = utcnow()
    limited = poll_source(session_factory, source_id=source_id, box=BOX)
    assert (limited.imported, limited.errors) == (0, 1)
    state = session.get(SourceState, source_id)
    assert state is not None
    assert state.next_poll_at is not None
    assert state.next_poll_at - before >= timedelta(seconds=119), "the next poll waits what the channel asked"
    assert state.consecutive_failures == 1
    assert state.last_error

    scenario.add_malformed()
    recovered = poll_source(session_factory, source_id=source_id, box=BOX)
    assert (recovered.imported, recovered.errors) == (1, 1)
    session.expire_all()
    letters = list(session.scalars(select(DeadLetter).where(DeadLetter.source_id == source_id)))
    assert len(letters) == 1
    assert letters[0].raw
    assert letters[0].error
    assert session.get(SourceState, source_id).consecutive_failures == 0  # type: ignore[union-attr]

    poll_source(session_factory, source_id=source_id, box=BOX)  # the same record again: still one letter
    assert session.scalar(select(func.count()).select_from(DeadLetter)) == 1


def test_a_reply_goes_out_through_the_kinds_sink(
    scenario: Scenario,
    running: dict[str, Any],
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
) -> None:
    if scenario.sent_replies() is None:
        pytest.skip(f"{scenario.kind} has no sink")
    original = scenario.add_record(1)
    source_id = _add(session_factory, brand, scenario, running)
    poll_source(session_factory, source_id=source_id, box=BOX)
    stored = session.get(Source, source_id)
    assert stored is not None
    kind = get_kind(scenario.kind)
    sink = kind.sink(open_config(kind, stored.config, BOX, where="contract"), timeout=5)
    assert sink is not None
    sent = sink.send(
        OutgoingReply(
            text="Sorry about your bag; we are on it.",
            in_reply_to=original,
            recipient=scenario.reply_to(original),
        )
    )
    assert sent.external_id
    assert scenario.sent_replies() == ["Sorry about your bag; we are on it."]
