"""Case-level triage: a case's mood and priority come from its customer's messages, never the brand's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Team, User
from ombuds.cases.models import Case, Priority
from ombuds.cases.queries import get_case_detail, list_open_cases
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.schemas import IncomingMention, MentionCreate
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.routing.actions import create_rule
from ombuds.settings import Settings
from ombuds.web.app import create_app

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _mention(external_id: str, author: str, text: str, minutes: int, **extra: object) -> IncomingMention:
    created = MentionCreate(
        external_id=external_id,
        author=author,
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        channel="x",
        **extra,  # type: ignore[arg-type]
    )
    return IncomingMention(mention=created, raw=created.model_dump_json().encode(), raw_format="json")


def _run(factory: sessionmaker[Session], brand: Brand, mentions: Sequence[IncomingMention]) -> None:
    with factory.begin() as session:
        source = get_or_create_source(session, brand_id=brand.id, kind="api", name="test feed")
        ingest_mentions(session, source=source, mentions=mentions)
    assert run_until_idle(factory).failed == 0


def _case_of(session: Session, external_id: str) -> Case:
    mention = session.scalars(select(Mention).where(Mention.external_id == external_id)).one()
    case = session.get(Case, mention.case_id)
    assert case is not None
    return case


def _inbox_sentiment(client: TestClient, case_id: int) -> str:
    page = client.get("/inbox")
    assert page.status_code == 200, page.text
    row = re.search(rf'data-case-id="{case_id}".*?</tr>', page.text, re.S)
    assert row is not None, f"case {case_id} is not in the inbox"
    cell = re.search(r'data-testid="case-mood">(.*?)</td>', row.group(0), re.S)
    assert cell is not None
    return re.sub(r"<[^>]+>|\s+", " ", cell.group(1)).strip()


def _sign_in(client: TestClient, email: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login", data={"email": email, "password": "correct horse", "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text


def test_a_customer_who_complained_then_thanked_reads_positive_and_the_brands_reply_never_counts(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, agent: User, tmp_path: Path
) -> None:
    _run(
        session_factory,
        brand,
        [
            _mention("1", "mara", "@Skyways you lost my bag in Lisbon, day 3 and nobody answers 😡", 0),
            _mention(
                "2",
                "Skyways",
                "@mara we're so sorry, that is a terrible experience and unacceptable. DM us your file",
                20,
                direction="outbound",
                in_reply_to="1",
            ),
            _mention(
                "3", "mara", "@Skyways it arrived this morning, thank you so much! 😊", 90, in_reply_to="2"
            ),
        ],
    )
    with session_factory() as session:
        reply = session.scalars(select(Mention).where(Mention.direction == Direction.OUTBOUND)).one()
        analyzed = set(session.scalars(select(Enrichment.analyzer).where(Enrichment.mention_id == reply.id)))
        assert "sentiment" not in analyzed, "the brand's own reply is not scored as a negative message"
        assert "intent" not in analyzed, "nor as a complaint"
        case = _case_of(session, "1")
        assert case.priority == Priority.NORMAL, "the thanks does not lower what the complaint raised"
        detail = get_case_detail(session, case.id, brand_ids=[brand.id])
        assert detail is not None
        assert detail.sentiment is not None
        assert detail.sentiment.label == "positive", "the customer's last word was thanks"
        assert detail.sentiment.data["messages"] == 2, "two customer messages, the reply not among them"
        listed = list_open_cases(session, brand_id=brand.id, brand_slug=brand.slug)
        assert [item.sentiment.label for item in listed.items if item.sentiment] == ["positive"]

    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        _sign_in(client, agent.email)
        assert _inbox_sentiment(client, case.id).startswith("Positive")
        page = client.get(f"/cases/{case.id}")
        assert "over 2 customer messages" in page.text


def test_a_neutral_nudge_keeps_the_complaint_negative_and_raises_a_chasing_customer(
    session_factory: sessionmaker[Session], brand: Brand, team: Team, agent: User, tmp_path: Path
) -> None:
    _run(
        session_factory,
        brand,
        [
            _mention("1", "leo", "@Skyways charged a fee for a bag that never arrived, terrible service", 0),
            _mention("2", "leo", "@Skyways hello??", 180),
        ],
    )
    with session_factory() as session:
        nudge = session.scalars(select(Mention).where(Mention.external_id == "2")).one()
        latest = session.scalars(
            select(Enrichment.label).where(
                Enrichment.mention_id == nudge.id, Enrichment.analyzer == "sentiment"
            )
        ).one()
        assert latest == "neutral", "the nudge alone says nothing"
        case = _case_of(session, "1")
        assert case.priority == Priority.HIGH, "still unhappy after writing twice"

    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        _sign_in(client, agent.email)
        assert _inbox_sentiment(client, case.id).startswith("Negative"), "the case's mood, not the nudge's"


def test_an_angry_emoji_nudge_reads_negative(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    _run(session_factory, brand, [_mention("1", "ana", "@Skyways hello?? 🤬", 0)])
    with session_factory() as session:
        detail = get_case_detail(session, _case_of(session, "1").id, brand_ids=[brand.id])
        assert detail is not None
        assert detail.sentiment is not None
        assert detail.sentiment.label == "negative"


def test_praise_from_a_big_account_is_not_urgent(
    session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    _run(
        session_factory,
        brand,
        [
            _mention(
                "1",
                "famous_traveller",
                "@Skyways Maria at the Vancouver desk found my lost passport. Hero",
                0,
                followers=250_000,
            ),
            _mention(
                "2",
                "travel_editor",
                "@Skyways three hours stuck on the tarmac with no water and no information. Disgraceful.",
                5,
                followers=250_000,
            ),
        ],
    )
    with session_factory() as session:
        assert _case_of(session, "1").priority > Priority.HIGH, "thanks with a negative word is not a fire"
        assert _case_of(session, "2").priority == Priority.URGENT, "an angry big account still is"


def test_billing_words_route_to_the_billing_team(
    session_factory: sessionmaker[Session], session: Session, brand: Brand, team: Team
) -> None:
    billing = actions.create_team(session, brand=brand, slug="billing", name="Refunds & Billing")
    create_rule(session, brand_id=brand.id, name="Money to billing", team=billing, signals=["billing"])
    session.commit()
    _run(
        session_factory,
        brand,
        [
            _mention(
                "1", "ines", "@Skyways I was charged twice for seat selection ($45 x2). Please fix this", 0
            ),
            _mention("2", "omar", "@Skyways still not refunded for the flight you cancelled", 5),
            _mention("3", "kai", "@Skyways the app crashes every time I try to check in", 10),
        ],
    )
    with session_factory() as fresh:
        assert _case_of(fresh, "1").team_id == billing.id
        assert _case_of(fresh, "2").team_id == billing.id
        assert _case_of(fresh, "3").team_id == team.id
