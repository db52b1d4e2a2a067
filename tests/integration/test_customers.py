"""One customer across channels: the profile, merging two records of one person, merging two cases,
and undoing each from the event log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case, Customer, Identity
from ombuds.customers import actions
from ombuds.errors import Conflict
from ombuds.mentions.models import Mention
from ombuds.responses.sending import deliver_due_replies
from tests.support.feed import feed


def customer_of(session: Session, handle: str) -> int:
    found = session.scalar(select(Mention.customer_id).where(Mention.author_handle == handle).limit(1))
    assert found is not None
    return found


def test_two_records_of_one_person_merge_and_the_merge_is_undone(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    rail = accounts.create_brand(session, slug="rail", name="Rail")
    accounts.create_team(session, brand=rail, slug="care", name="Care", is_default=True)
    session.commit()
    feed(
        session_factory,
        brand,
        [
            ("twitter", "mara_lind", "@Skyways my suitcase did not arrive in Lisbon"),
            ("email", "mara@example.org", "Booking QX7Y92: where is my suitcase?"),
        ],
    )
    feed(session_factory, rail, [("twitter", "mara_rail", "@Rail my train was late")])
    _, token = accounts.create_api_token(session, brand=brand, name="desk")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    on_x, by_email = customer_of(session, "mara_lind"), customer_of(session, "mara@example.org")

    profile = client.get(f"/api/v1/customers/{on_x}", headers=headers)
    assert profile.status_code == 200, profile.text
    assert profile.json()["identities"] == [{"channel": "twitter", "handle": "mara_lind", "followers": None}]

    merged = client.post(f"/api/v1/customers/{on_x}/merge", json={"other_id": by_email}, headers=headers)
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert {(i["channel"], i["handle"]) for i in body["identities"]} == {
        ("twitter", "mara_lind"),
        ("email", "mara@example.org"),
    }
    assert len(body["case_ids"]) == 2
    assert [m["text"][:10] for m in body["mentions"]] == ["@Skyways m", "Booking QX"]  # in time order
    gone = client.get(f"/api/v1/customers/{by_email}", headers=headers)
    assert gone.status_code == 307
    assert gone.headers["location"].endswith(f"/api/v1/customers/{on_x}")
    case_ids = body["case_ids"]
    assert {client.get(f"/api/v1/cases/{c}", headers=headers).json()["customer_id"] for c in case_ids} == {
        on_x
    }

    # another brand's customer is not even visible to this brand's token; the writer refuses too
    other_brand = customer_of(session, "mara_rail")
    across = client.post(f"/api/v1/customers/{on_x}/merge", json={"other_id": other_brand}, headers=headers)
    assert across.status_code == 404
    with pytest.raises(Conflict, match="different brands"):
        actions.merge_customers(
            session,
            kept=session.get_one(Customer, on_x),
            other=session.get_one(Customer, other_brand),
            actor=Actor(user=None, api_token_id=1),
        )
    session.rollback()

    undone = client.post(f"/api/v1/customers/{on_x}/merges/{body['merges'][0]}/undo", headers=headers)
    assert undone.status_code == 200, undone.text
    assert undone.json()["id"] == by_email
    assert undone.json()["identities"] == [
        {"channel": "email", "handle": "mara@example.org", "followers": None}
    ]
    assert client.get(f"/api/v1/customers/{by_email}", headers=headers).status_code == 200
    assert len(client.get(f"/api/v1/customers/{on_x}", headers=headers).json()["case_ids"]) == 1
    again = client.post(f"/api/v1/customers/{on_x}/merges/{body['merges'][0]}/undo", headers=headers)
    assert again.status_code == 409


def ben_on_two_channels(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> tuple[int | None, int | None, dict[str, str]]:
    """Ben's case on X and his case by email, and a token of the desk's."""
    feed(
        session_factory,
        brand,
        [
            ("twitter", "ben", "@Skyways my flight was cancelled"),
            ("email", "ben@example.org", "Refund for the cancelled flight please"),
        ],
    )
    _, token = accounts.create_api_token(session, brand=brand, name="desk")
    session.commit()
    kept = session.scalar(select(Mention.case_id).where(Mention.author_handle == "ben"))
    other = session.scalar(select(Mention.case_id).where(Mention.author_handle == "ben@example.org"))
    return kept, other, {"Authorization": f"Bearer {token}"}


def test_two_cases_merge_into_one_conversation_and_come_apart_again(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    kept, other, headers = ben_on_two_channels(session_factory, session, brand)

    merged = client.post(f"/api/v1/cases/{kept}/merge", json={"other_id": other}, headers=headers)
    assert merged.status_code == 200, merged.text
    assert [m["author_handle"] for m in merged.json()["mentions"]] == ["ben", "ben@example.org"]
    closed = client.get(f"/api/v1/cases/{other}", headers=headers).json()
    assert closed["status"] == "resolved"
    history = client.get(f"/api/v1/cases/{kept}/events", headers=headers).json()
    merge_event = next(e for e in history if e["kind"] == "case.merged")

    apart = client.post(f"/api/v1/cases/{kept}/merges/{merge_event['id']}/undo", headers=headers)
    assert apart.status_code == 200, apart.text
    assert apart.json()["status"] == "open"
    assert [m["author_handle"] for m in apart.json()["mentions"]] == ["ben@example.org"]
    session.expire_all()
    assert session.get_one(Case, kept).status.value in ("new", "open")


def test_a_profile_lists_the_widest_audience_first_and_channels_without_a_count_last(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    feed(
        session_factory,
        brand,
        [
            ("twitter", "mara_lind", "@Skyways my suitcase did not arrive in Lisbon"),
            ("email", "mara@example.org", "Booking QX7Y92: where is my suitcase?"),
            ("reviews", "Mara L.", "Two stars: the suitcase took a week"),
        ],
    )
    token_row, token = accounts.create_api_token(session, brand=brand, name="desk")
    on_x = customer_of(session, "mara_lind")
    for other in (customer_of(session, "mara@example.org"), customer_of(session, "Mara L.")):
        actions.merge_customers(
            session,
            kept=session.get_one(Customer, on_x),
            other=session.get_one(Customer, other),
            actor=Actor(user=None, api_token_id=token_row.id),
        )
    twitter = session.scalars(select(Identity).where(Identity.handle == "mara_lind")).one()
    twitter.followers = 420  # what a profile fetch would have counted
    session.commit()

    profile = client.get(f"/api/v1/customers/{on_x}", headers={"Authorization": f"Bearer {token}"})
    assert profile.status_code == 200, profile.text
    # PostgreSQL sorts an unknown count first when counts go down, SQLite last: a person wants it last
    assert [i["channel"] for i in profile.json()["identities"]] == ["twitter", "email", "reviews"]


def test_a_merge_never_makes_the_conversation_less_urgent(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    feed(
        session_factory,
        brand,
        [
            ("twitter", "kim", "@Skyways what time is boarding?"),
            ("email", "kim@example.org", "Smoke in the cabin!"),
        ],
    )
    kept = session.scalars(
        select(Case).join(Mention, Mention.case_id == Case.id).where(Mention.author_handle == "kim")
    ).one()
    urgent = session.scalars(
        select(Case)
        .join(Mention, Mention.case_id == Case.id)
        .where(Mention.author_handle == "kim@example.org")
    ).one()
    kept.priority, urgent.priority = 3, 1
    session.commit()
    _, token = accounts.create_api_token(session, brand=brand, name="desk")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    merged = client.post(f"/api/v1/cases/{kept.id}/merge", json={"other_id": urgent.id}, headers=headers)
    assert merged.status_code == 200, merged.text
    assert merged.json()["priority"] == 1, "an urgent case merged in keeps the conversation urgent"
    history = client.get(f"/api/v1/cases/{kept.id}/events", headers=headers).json()
    changed = [e for e in history if e["kind"] == "case.priority_changed"]
    assert [e["summary"] for e in changed] == ["Priority Normal → Urgent"], "the history says so"


def test_two_people_merging_two_cases_into_each_other_at_once_leave_one_live_conversation(
    session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    """A into B and B into A at the same moment: one merge wins, the other is told why, and the
    customer's messages end on the case that stays open (each used to close the other)."""
    import threading

    feed(
        session_factory,
        brand,
        [
            ("twitter", "ben", "@Skyways my flight was cancelled"),
            ("email", "ben@example.org", "Refund please"),
        ],
    )
    token_row, _ = accounts.create_api_token(session, brand=brand, name="desk")
    session.commit()
    first = session.scalar(select(Mention.case_id).where(Mention.author_handle == "ben"))
    second = session.scalar(select(Mention.case_id).where(Mention.author_handle == "ben@example.org"))
    assert first
    assert second
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def merge(kept_id: int, other_id: int) -> None:
        with session_factory() as own:
            kept, other = own.get_one(Case, kept_id), own.get_one(Case, other_id)
            start.wait()
            try:
                actions.merge_cases(
                    own, kept=kept, other=other, actor=Actor(user=None, api_token_id=token_row.id)
                )
                own.commit()
                outcomes[kept_id] = "merged"
            except Conflict as refused:
                own.rollback()
                outcomes[kept_id] = str(refused)

    threads = [threading.Thread(target=merge, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcome == "merged" for outcome in outcomes.values()) == [False, True], outcomes
    winner = next(case_id for case_id, outcome in outcomes.items() if outcome == "merged")
    loser = second if winner == first else first
    assert "reopen it before merging" in outcomes[loser]
    session.expire_all()
    assert session.get_one(Case, winner).status.value in ("new", "open")
    assert session.get_one(Case, loser).status.value == "resolved"
    assert set(session.scalars(select(Mention.case_id).where(Mention.brand_id == brand.id))) == {winner}


def test_a_case_is_not_merged_into_one_resolved_nor_merged_away_with_a_reply_waiting(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    from ombuds.cases.models import CaseStatus
    from ombuds.responses.models import Reply, ReplyStatus, Visibility

    feed(
        session_factory,
        brand,
        [("twitter", "ana", "@Skyways where is my bag?"), ("email", "ana@example.org", "Still no bag")],
    )
    _, token = accounts.create_api_token(session, brand=brand, name="desk")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    live = session.scalars(select(Case).join(Mention).where(Mention.author_handle == "ana")).one()
    other = session.scalars(
        select(Case).join(Mention).where(Mention.author_handle == "ana@example.org")
    ).one()

    live.status = CaseStatus.RESOLVED
    session.commit()
    into_resolved = client.post(
        f"/api/v1/cases/{live.id}/merge", json={"other_id": other.id}, headers=headers
    )
    assert into_resolved.status_code == 409
    assert f"case #{live.id} is resolved: reopen it before merging" in into_resolved.json()["detail"]

    live.status = CaseStatus.OPEN
    held = Reply(
        brand_id=brand.id,
        case_id=other.id,
        channel="email",
        visibility=Visibility.PRIVATE,
        text="We found your bag",
        status=ReplyStatus.AWAITING_APPROVAL,
        idempotency_key="held-on-the-other",
    )
    session.add(held)
    session.commit()
    waiting = client.post(f"/api/v1/cases/{live.id}/merge", json={"other_id": other.id}, headers=headers)
    assert waiting.status_code == 409
    assert f"while its reply {held.id} is awaiting approval" in waiting.json()["detail"]
    session.expire_all()
    assert session.get_one(Case, other.id).status.value in ("new", "open")
    assert set(
        session.scalars(select(Mention.case_id).where(Mention.author_handle == "ana@example.org"))
    ) == {other.id}


def test_a_case_whose_reply_waits_to_be_posted_by_hand_is_not_merged_away(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    kept, other, headers = ben_on_two_channels(session_factory, session, brand)
    reply = client.post(
        f"/api/v1/cases/{other}/replies",
        json={"text": "Thanks, and sorry: your refund is on its way today.", "visibility": "private"},
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    deliver_due_replies(session_factory)  # no connector here: it waits to be posted by hand

    refused = client.post(f"/api/v1/cases/{kept}/merge", json={"other_id": other}, headers=headers)
    assert refused.status_code == 409
    assert f"its reply {reply.json()['id']} is to be posted by hand" in refused.json()["detail"]
    assert client.get(f"/api/v1/cases/{other}", headers=headers).json()["status"] != "resolved"
