"""A customer the desk met in an imported archive of tweets ("twitter") who writes again through the
X connector ("x") is the same customer, with the same open case, not a stranger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.cases.models import Case, Customer, Identity
from ombuds.cases.thread_batch import load_identities
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _send(
    factory: sessionmaker[Session],
    brand: Brand,
    *,
    kind: str,
    channel: str,
    number: int,
    handle: str,
    text: str,
) -> None:
    created = START + timedelta(minutes=10 * number)
    mention = MentionCreate(
        external_id=f"{channel}-{number}",
        author_handle=handle,
        text=text,
        channel=channel,
        created_at=created,
    )
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind=kind, name=kind)
        ingest_mentions(
            session,
            source=source,
            mentions=[
                IncomingMention(mention=mention, raw=mention.model_dump_json().encode(), raw_format="json")
            ],
        )
    run_until_idle(factory, now=lambda: created + timedelta(seconds=5))


def test_a_handle_from_an_imported_twitter_archive_writing_on_x_is_the_same_customer_and_case(
    session_factory: sessionmaker[Session], brand: Brand
) -> None:
    _send(
        session_factory,
        brand,
        kind="csv",
        channel="twitter",
        number=1,
        handle="ann",
        text="@Skyways my bag is lost",
    )
    _send(
        session_factory,
        brand,
        kind="x",
        channel="x",
        number=2,
        handle="ann",
        text="@Skyways still no bag, day 3",
    )
    _send(
        session_factory,
        brand,
        kind="x",
        channel="x",
        number=3,
        handle="bob",
        text="@Skyways my seat was double booked",
    )

    with session_factory() as session:
        ann = session.scalars(
            select(Mention).where(Mention.author_handle == "ann").order_by(Mention.id)
        ).all()
        assert [m.channel for m in ann] == ["twitter", "x"]
        assert ann[0].customer_id == ann[1].customer_id, "one person on one network"
        assert ann[0].case_id == ann[1].case_id, "her second message joins her open case"
        assert session.scalar(select(Identity.channel).where(Identity.handle == "ann")) == "twitter"
        assert len(session.scalars(select(Identity).where(Identity.handle == "ann")).all()) == 1
        assert len(session.scalars(select(Customer).where(Customer.brand_id == brand.id)).all()) == 2
        assert len(session.scalars(select(Case).where(Case.brand_id == brand.id)).all()) == 2


@pytest.mark.parametrize("handle", ["Élodie", "ΟΔΟΣ", "İpek", "ana"])
def test_a_handle_in_any_script_is_found_again_and_the_customer_writes_into_the_same_case(
    session_factory: sessionmaker[Session], session: Session, brand: Brand, handle: str
) -> None:
    # SQLite's lower() leaves letters beyond ASCII as they are, Python's does not: the lookup lowers
    # both sides in the database, else a second message found no identity and failed to thread
    customer = Customer(brand_id=brand.id, display_name=handle)
    session.add(customer)
    session.flush()
    session.add(Identity(brand_id=brand.id, customer_id=customer.id, channel="twitter", handle=handle))
    session.commit()
    written = Mention(
        brand_id=brand.id, channel="x", author_handle=handle, direction=Direction.INBOUND, text="x"
    )
    found = load_identities(session, [written])
    assert [identity.customer_id for identity in found.values()] == [customer.id]
