"""Privacy at scale: a brand's retention purges old messages while the daily numbers stay the same;
one customer erased on request leaves no trace but a record; one customer's data exported as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import JSON, LargeBinary, String, Text, func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.lifecycle import Actor, add_note
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.db import Base
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.privacy import actions as privacy
from ombuds.privacy.purge import purge_brand, run_due_purges
from ombuds.privacy.queries import daily_metrics
from ombuds.responses import actions as replies
from ombuds.responses.values import Visibility
from ombuds.surveys import actions as surveys
from tests.conftest import Ombuds

PHRASE = "violet suitcase vanished"
HANDLE = "mara_lind"


def ingest(factory: sessionmaker[Session], brand: Brand, messages: list[tuple[str, str, int]]) -> None:
    """(handle, text, days ago) messages from X, through the whole pipeline."""
    now = utcnow()
    with factory.begin() as writing:
        source = get_or_create_source(writing, brand_id=brand.id, kind="api", name="feed")
        ingest_mentions(
            writing,
            source=source,
            mentions=[
                IncomingMention(
                    MentionCreate(
                        external_id=f"{brand.slug}-{handle}-{index}",
                        author=handle,
                        text=text,
                        created_at=now - timedelta(days=days_ago, minutes=index),
                        channel="twitter",
                    ),
                    f'{{"text": "{text}", "user": "{handle}"}}'.encode(),
                    "json",
                )
                for index, (handle, text, days_ago) in enumerate(messages)
            ],
        )
    run_until_idle(factory)


def test_a_purge_removes_old_messages_and_every_daily_number_stays_the_same(
    session_factory: sessionmaker[Session], session: Session, brand: Brand, team: Team
) -> None:
    ingest(
        session_factory,
        brand,
        [
            ("old_timer", "@Skyways my flight to Oslo was cancelled and nobody told me", 500),
            ("old_timer", "@Skyways still no refund for the Oslo flight, awful service", 499),
            ("grumpy", "@Skyways the seat was broken the whole way to Rome", 420),
            ("fresh", "@Skyways lovely crew today, thank you", 3),
        ],
    )
    old_case = session.scalars(
        select(Case).join(Mention, Mention.case_id == Case.id).where(Mention.author_handle == "old_timer")
    ).first()
    assert old_case is not None
    replies.submit_reply(
        session,
        case=old_case,
        text="So sorry, we are on it.",
        visibility=Visibility.PUBLIC,
        actor=Actor(None, api_token_id=accounts.create_api_token(session, brand=brand, name="t")[0].id),
    )
    session.commit()
    before = daily_metrics(session, brand.id)
    assert sum(t.mentions for t in before.values()) == 4
    privacy.set_retention(session, brand=brand, months=12)
    session.commit()

    counted = purge_brand(session_factory, brand_id=brand.id, months=12, dry_run=True)
    assert (counted.mentions, session.scalar(select(func.count()).select_from(Mention))) == (3, 4)

    done = purge_brand(session_factory, brand_id=brand.id, months=12, batch_size=2)  # two batches
    session.expire_all()

    assert (done.mentions, done.cases) == (3, 2)
    assert list(session.scalars(select(Mention.author_handle))) == ["fresh"]
    assert (
        session.scalar(
            select(func.count())
            .select_from(Enrichment)
            .where(Enrichment.mention_id.not_in(select(Mention.id)))
        )
        == 0
    )
    assert session.scalar(select(func.count()).select_from(Case)) == 1
    assert daily_metrics(session, brand.id) == before
    # a second purge finds nothing more and changes no number
    assert purge_brand(session_factory, brand_id=brand.id, months=12).mentions == 0
    assert daily_metrics(session, brand.id) == before


def _token(session: Session, brand: Brand, role: Role, name: str) -> dict[str, str]:
    user = accounts.create_user(
        session, email=f"{name}@skyways.test", name=name.title(), password="correct horse"
    )
    accounts.add_membership(session, user=user, brand=brand, role=role)
    _, token = accounts.create_api_token(session, brand=brand, name=name, user=user)
    return {"Authorization": f"Bearer {token}"}


def _text_columns_holding(session: Session, needles: tuple[str, ...]) -> list[str]:
    """``table.column`` of every stored text (strings, JSON, raw payloads) that contains a needle."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON | LargeBinary):
                continue
            for (value,) in session.execute(select(column).where(column.is_not(None))):
                text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                if any(needle.lower() in text.lower() for needle in needles):
                    found.append(f"{table.name}.{column.name}")
    return sorted(set(found))


def test_an_erased_customer_leaves_no_trace_but_the_record_and_their_export_was_complete(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand, team: Team
) -> None:
    rail = accounts.create_brand(session, slug="rail", name="Rail")
    accounts.create_team(session, brand=rail, slug="care", name="Care", is_default=True)
    session.commit()
    ingest(
        session_factory,
        brand,
        [
            (HANDLE, f"@Skyways my {PHRASE} somewhere between Lisbon and Porto", 2),
            (HANDLE, "@Skyways day three and still no bag, booking QX7Y92", 1),
            ("bystander", "@Skyways my meal was cold", 1),
        ],
    )
    ingest(session_factory, rail, [("rail_rider", "@Rail the train was late again", 1)])
    admin = _token(session, brand, Role.ADMIN, "ada")
    manager = _token(session, brand, Role.MANAGER, "max")
    agent = _token(session, brand, Role.AGENT, "agnes")
    viewer = _token(session, brand, Role.VIEWER, "vic")
    case = session.scalars(
        select(Case).join(Mention, Mention.case_id == Case.id).where(Mention.author_handle == HANDLE)
    ).first()
    assert case is not None
    customer_id = case.customer_id
    ada = Actor(session.scalars(select(User).where(User.email == "ada@skyways.test")).one())
    replies.submit_reply(
        session,
        case=case,
        text=f"@{HANDLE} so sorry about the {PHRASE}, we are looking",
        visibility=Visibility.PUBLIC,
        actor=ada,
    )
    add_note(session, case=case, text=f"{HANDLE} called twice about the {PHRASE}", actor=ada)
    surveys.offer_survey(
        session,
        brand_id=brand.id,
        case_id=case.id,
        subject=case.subject,
        customer_name="Mara Lind",
        at=utcnow(),
    )
    rail_customer = session.scalar(select(Case.customer_id).where(Case.brand_id == rail.id))
    session.commit()
    assert _text_columns_holding(session, (HANDLE, PHRASE)), "the story put her words in the database"

    exported = client.get(f"/api/v1/customers/{customer_id}/export", headers=manager)
    assert exported.status_code == 200, exported.text
    data = exported.json()
    assert [i["handle"] for i in data["identities"]] == [HANDLE]
    assert sorted(m["text"] for m in data["mentions"]) == sorted(
        [
            f"@Skyways my {PHRASE} somewhere between Lisbon and Porto",
            "@Skyways day three and still no bag, booking QX7Y92",
        ]
    )
    assert [c["id"] for c in data["cases"]] == [case.id]
    assert len(data["replies"]) == 1
    assert len(data["surveys"]) == 1
    assert any(e["kind"] == "case.note_added" or PHRASE in str(e["data"]) for e in data["events"])
    for headers in (agent, viewer):
        assert client.get(f"/api/v1/customers/{customer_id}/export", headers=headers).status_code == 403
    assert client.get(f"/api/v1/customers/{rail_customer}/export", headers=admin).status_code == 404
    for headers in (manager, agent, viewer):
        assert client.post(f"/api/v1/customers/{customer_id}/erase", headers=headers).status_code == 403

    erased = client.post(f"/api/v1/customers/{customer_id}/erase", headers=admin)
    assert erased.status_code == 200, erased.text
    assert erased.json()["counts"]["mentions"] == 2
    assert erased.json()["counts"]["identities"] == 1
    session.expire_all()
    assert _text_columns_holding(session, (HANDLE, PHRASE)) == []
    assert session.scalar(select(func.count()).select_from(Mention)) == 2  # the bystander's and Rail's

    again = client.post(f"/api/v1/customers/{customer_id}/erase", headers=admin)
    assert again.status_code == 404
    assert "erased already" in again.json()["detail"]
    records = client.get("/api/v1/privacy/erasures", headers=admin)
    assert [(r["customer_id"], r["actor"]) for r in records.json()] == [(customer_id, "ada@skyways.test")]
    assert client.get("/api/v1/privacy/erasures", headers=manager).status_code == 403


def test_the_command_line_sets_a_retention_purges_daily_and_exports_and_erases_by_handle(
    ombuds: Ombuds,
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    team: Team,
) -> None:
    ingest(
        session_factory,
        brand,
        [("old_timer", "@Skyways lost my bag in 2024", 800), (HANDLE, f"@Skyways {PHRASE}", 1)],
    )

    assert "kept forever" in ombuds("privacy", "retention", "--brand", "skyways").stdout
    for months in ("100000", "9223372036854775808"):
        refused = ombuds("privacy", "retention", "--brand", "skyways", "--months", months)
        assert refused.exit_code != 0
        assert "months: retention is 1 to 1,200 months" in refused.output
    assert "kept forever" in ombuds("privacy", "retention", "--brand", "skyways").stdout
    assert "kept 24 months" in ombuds("privacy", "retention", "--brand", "skyways", "--months", "24").stdout
    dry = json.loads(ombuds("privacy", "purge", "--dry-run", "--json").stdout)
    assert [(row["brand"], row["mentions"]) for row in dry] == [("skyways", 1)]

    # the runner's daily round purges once, then waits a day
    first = run_due_purges(session_factory)
    assert first[brand.id].mentions == 1
    assert run_due_purges(session_factory) == {}
    assert (
        run_due_purges(session_factory, now=utcnow() + timedelta(days=1, minutes=1))[brand.id].mentions == 0
    )

    exported = ombuds("privacy", "export", "--brand", "skyways", "--handle", f"twitter:{HANDLE}")
    assert exported.exit_code == 0, exported.output
    assert [m["text"] for m in json.loads(exported.stdout)["mentions"]] == [f"@Skyways {PHRASE}"]
    erased = ombuds("privacy", "erase", "--brand", "skyways", "--handle", f"twitter:{HANDLE}", "--json")
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.stdout)["mentions"] == 1
    again = ombuds("privacy", "erase", "--brand", "skyways", "--handle", f"twitter:{HANDLE}")
    assert again.exit_code == 2
    assert f"no customer with the twitter handle '{HANDLE}'" in again.output
    listed = json.loads(ombuds("privacy", "erasures", "--brand", "skyways", "--json").stdout)
    assert [(row["by"], row["mentions"]) for row in listed] == [("cli", 1)]
    session.expire_all()
    assert list(session.scalars(select(Mention.text))) == []
