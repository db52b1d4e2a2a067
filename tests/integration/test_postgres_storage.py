"""Storage behaves the same on SQLite and PostgreSQL (every test here runs on both backends).

Operators pick SQLite for one machine and PostgreSQL to scale out; moving between them must not
change what Ombuds stores or shows: times, duplicates, the audit log and brand boundaries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions, queries
from ombuds.accounts.models import Brand, Role, User
from ombuds.events import Event
from ombuds.mentions.models import Mention, Source

KOLKATA = timezone(timedelta(hours=5, minutes=30))


def _source(session: Session, brand: Brand, name: str = "csv import") -> Source:
    source = Source(brand_id=brand.id, kind="file", name=name, config={})
    session.add(source)
    session.flush()
    return source


def _mention(source: Source, external_id: str, *, created_at: datetime, raw: bytes = b"{}") -> Mention:
    return Mention(
        brand_id=source.brand_id,
        source_id=source.id,
        external_id=external_id,
        channel="twitter",
        author_handle="@traveller",
        text="My bag never arrived in Lisbon.",
        created_at=created_at,
        raw=raw,
        raw_format="json",
    )


def test_a_mention_written_in_another_timezone_reads_back_as_the_same_instant_in_utc(
    session_factory: sessionmaker[Session], brand: Brand
) -> None:
    posted_in_kolkata = datetime(2025, 3, 1, 9, 15, 30, 123456, tzinfo=KOLKATA)
    with session_factory() as session:
        source = _source(session, brand)
        session.add(_mention(source, "m-1", created_at=posted_in_kolkata))
        session.commit()

    with session_factory() as session:
        stored = session.scalars(select(Mention)).one()
        assert stored.created_at == posted_in_kolkata
        assert stored.created_at.utcoffset() == timedelta(0)
        assert stored.created_at == datetime(2025, 3, 1, 3, 45, 30, 123456, tzinfo=UTC)
        assert stored.received_at.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused_rather_than_guessed(session: Session, brand: Brand) -> None:
    source = _source(session, brand)
    session.add(_mention(source, "m-naive", created_at=datetime(2025, 3, 1, 9, 15)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_the_raw_payload_is_kept_byte_for_byte(session_factory: sessionmaker[Session], brand: Brand) -> None:
    payload = 'id,text\r\n1,"Caf\u00e9 \u2615 \U0001f620"\r\n'.encode() + bytes(range(256))
    with session_factory() as session:
        source = _source(session, brand)
        session.add(_mention(source, "m-raw", created_at=datetime.now(UTC), raw=payload))
        session.commit()

    with session_factory() as session:
        assert session.scalars(select(Mention.raw)).one() == payload


def test_the_same_external_id_from_the_same_source_is_stored_once(
    session_factory: sessionmaker[Session], brand: Brand
) -> None:
    now = datetime.now(UTC)
    with session_factory() as session:
        source = _source(session, brand)
        source_id = source.id
        session.add(_mention(source, "tweet-42", created_at=now))
        session.commit()

    with session_factory() as session:
        source = session.get_one(Source, source_id)
        session.add(_mention(source, "tweet-42", created_at=now))
        with pytest.raises(IntegrityError):
            session.commit()

    with session_factory() as session:
        # Another source may use the same id: ids are only unique within their source.
        other = _source(session, brand, name="webhook")
        session.add(_mention(other, "tweet-42", created_at=now))
        session.commit()
        assert session.scalar(select(func.count()).select_from(Mention)) == 2


def test_account_changes_are_recorded_in_the_event_log(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        brand = actions.create_brand(session, slug="harbour", name="Harbour Bank")
        actions.create_team(session, brand=brand, slug="care", name="Care", is_default=True)
        admin = actions.create_user(session, email="lead@harbour.test", name="Lea Lead", password="pw-1")
        agent = actions.create_user(session, email="ali@harbour.test", name="Ali Agent", password="pw-2")
        actions.add_membership(session, user=admin, brand=brand, role=Role.ADMIN)
        actions.add_membership(session, user=agent, brand=brand, role=Role.AGENT, actor=admin)
        session.commit()
        brand_id, admin_id, agent_id = brand.id, admin.id, agent.id

    with session_factory() as session:
        events = session.scalars(select(Event).order_by(Event.id)).all()
        assert [event.kind for event in events] == [
            "brand.created",
            "team.created",
            "membership.added",
            "membership.added",
        ]
        assert {event.brand_id for event in events} == {brand_id}
        added = events[-1]
        assert (added.subject_id, added.actor_id, added.data) == (agent_id, admin_id, {"role": "agent"})
        assert all(event.occurred_at.utcoffset() == timedelta(0) for event in events)


def test_a_user_sees_only_the_brands_they_belong_to(session: Session, brand: Brand, agent: User) -> None:
    other = actions.create_brand(session, slug="rival-air", name="Rival Air")
    actions.create_team(session, brand=other, slug="rival-care", name="Rival care", is_default=True)
    session.commit()

    assert [found.slug for found in queries.list_brands_for_user(session, agent)] == ["skyways"]
    assert queries.get_role(session, user=agent, brand_id=brand.id) is Role.AGENT
    assert queries.get_role(session, user=agent, brand_id=other.id) is None
    own_team = queries.get_default_team(session, brand.id)
    rival_team = queries.get_default_team(session, other.id)
    assert own_team is not None
    assert own_team.brand_id == brand.id
    assert rival_team is not None
    assert rival_team.slug == "rival-care"
