"""Search: one query over cases, messages and customers, on SQLite FTS5 and PostgreSQL full text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, User
from ombuds.cases.models import Case
from ombuds.enrichment.actions import show_correction
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from ombuds.search import queries
from tests.support.feed import feed

URL = "/api/v1/search"


def token_for(session: Session, brand: Brand) -> dict[str, str]:
    _, token = accounts.create_api_token(session, brand=brand, name="search")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def ingest(factory: sessionmaker[Session], brand: Brand, messages: list[tuple[str, str]]) -> None:
    """(handle, text) messages a minute apart, through the whole pipeline."""
    feed(factory, brand, [("twitter", handle, text) for handle, text in messages])


def case_of(session: Session, handle: str) -> int:
    case_id = session.scalar(select(Mention.case_id).where(Mention.author_handle == handle).limit(1))
    assert case_id is not None
    return case_id


def test_search_finds_a_case_by_its_third_message_by_handle_and_by_category_within_its_brand(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    rail = accounts.create_brand(session, slug="rail", name="Rail")
    accounts.create_team(session, brand=rail, slug="care", name="Care", is_default=True)
    session.commit()
    ingest(
        session_factory,
        brand,
        [
            ("mara_lind", "@Skyways my suitcase did not arrive"),
            ("mara_lind", "@Skyways still nothing, day two"),
            ("mara_lind", "@Skyways it turned up in Porto instead of Lisbon"),
            ("joao", "@Skyways the lounge in Lisbon was closed"),
        ],
    )
    ingest(session_factory, rail, [("otto", "@Rail my train to Porto was cancelled")])
    headers = token_for(session, brand)
    mara = case_of(session, "mara_lind")

    found = client.get(URL, params={"q": "porto"}, headers=headers)
    assert found.status_code == 200, found.text
    body = found.json()
    assert [(r["kind"], r["id"]) for r in body["results"] if r["kind"] == "case"] == [("case", mara)]
    assert {r.get("case_id") for r in body["results"] if r["kind"] != "customer"} == {mara}, "no rail result"
    assert body["total"] == 2  # the message and its case
    mention = next(r for r in body["results"] if r["kind"] == "mention")
    start, end = mention["highlights"][0]
    assert mention["snippet"][start:end] == "Porto"

    by_handle = client.get(URL, params={"q": "from:@Mara_Lind"}, headers=headers).json()
    assert [r["id"] for r in by_handle["results"] if r["kind"] == "case"] == [mara]
    assert any(r["kind"] == "customer" for r in by_handle["results"])
    by_name = client.get(URL, params={"q": "mara"}, headers=headers).json()
    assert [r["kind"] for r in by_name["results"]][:1] == ["customer"]

    category = session.scalar(
        select(Enrichment.label)
        .join(Mention, Mention.id == Enrichment.mention_id)
        .where(Mention.case_id == mara, Enrichment.analyzer == "category", Enrichment.label.is_not(None))
        .limit(1)
    )
    assert category, "the pipeline gave Mara's messages a category"
    by_category = client.get(URL, params={"q": f'category:"{category}" from:mara_lind'}, headers=headers)
    assert mara in [r["id"] for r in by_category.json()["results"] if r["kind"] == "case"]
    # filters without words: the cases are found by their own columns, then their messages
    only_category = client.get(
        URL, params={"q": f'category:"{category[:4].upper()}"'}, headers=headers
    ).json()
    assert mara in [r["id"] for r in only_category["results"] if r["kind"] == "case"]
    assert all(r["kind"] != "customer" for r in only_category["results"])
    # as the search help writes them: snake_case for a category, a team's name with a dash
    snake = client.get(URL, params={"q": "category:" + category.lower().replace(" ", "_")}, headers=headers)
    assert mara in [r["id"] for r in snake.json()["results"] if r["kind"] == "case"], snake.text
    status = session.get(Case, mara).status  # type: ignore[union-attr]
    by_status = client.get("/api/v1/cases", params={"q": f"status:{status} team:care"}, headers=headers)
    assert mara in [item["id"] for item in by_status.json()["items"]], by_status.text
    none = client.get(URL, params={"q": "category:nosuchcategory"}, headers=headers).json()
    assert none == {"results": [], "total": 0}

    # the case list (like the inbox) and the inbox page narrow to what the search finds
    listed = client.get("/api/v1/cases", params={"q": "porto"}, headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [mara]
    assert listed["items"][0]["customer_id"] == session.get(Case, mara).customer_id  # type: ignore[union-attr]
    assert client.get(f"/api/v1/cases/{mara}", headers=headers).json()["customer_id"]


def test_words_held_together_as_typed_rank_first(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    ingest(
        session_factory,
        brand,
        [
            ("ana", "@Skyways bag lost"),  # short, so plain rank alone would put it first
            ("ben", "@Skyways you lost my bag in Lisbon and nobody at the desk could say where it went"),
        ],
    )
    headers = token_for(session, brand)
    found = client.get(URL, params={"q": "lost my bag"}, headers=headers).json()
    assert found["results"][0]["case_id"] == case_of(session, "ben")
    both = client.get(URL, params={"q": "lost bag"}, headers=headers).json()
    cases = [r["id"] for r in both["results"] if r["kind"] == "case"]
    assert cases == [case_of(session, "ana"), case_of(session, "ben")]  # "bag lost" is not the phrase
    quoted = client.get(URL, params={"q": '"my bag"'}, headers=headers).json()
    assert [r["id"] for r in quoted["results"] if r["kind"] == "case"] == [case_of(session, "ben")]


HOSTILE = (
    '"unbalanced quote',
    "bag*",
    "*",
    "bag NEAR lost",
    "NEAR(bag lost, 2)",
    "bag AND OR NOT lost",
    "((bag",
    "bag)",
    "lost\x00bag",
    "\x00",
    "x" * 10_000,
    "bag " * 2_500,
    "'; DROP TABLE mention; --",
    "<script>alert(1)</script>",
    "from: category: team:",
    "status:exploded",
    "after:2026-13-45",
    "date:2026-12-01..2026-11-01",
    "team:care status:open",
    "-bag +lost ^ : ~",
    "ünïcödé bagagem 荷物",
    "from:--- bag",
    'from:"a""b" bag',
)


def test_hostile_queries_answer_results_or_a_clear_422_never_a_server_error(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    ingest(session_factory, brand, [("ana", "@Skyways my bag was lost, <b>again</b>")])
    headers = token_for(session, brand)
    for query in HOSTILE:
        answer = client.get(URL, params={"q": query}, headers=headers)
        assert answer.status_code in (200, 422), (query[:40], answer.text[:300])
        if answer.status_code == 422:
            assert "Input should" not in answer.text, query[:40]
            assert answer.json()["detail"], query[:40]
        listed = client.get("/api/v1/cases", params={"q": query}, headers=headers)
        assert listed.status_code in (200, 422), (query[:40], listed.text[:300])
    assert client.get(URL, params={"q": "bag*"}, headers=headers).json()["total"] == 2
    too_long = client.get(URL, params={"q": "x" * 10_000}, headers=headers)
    assert too_long.status_code == 422
    assert "10,000 characters" in too_long.json()["detail"]


def test_more_matches_than_are_ranked_or_listed_give_the_newest_whether_read_at_once_or_window_by_window(
    client: TestClient,
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # six travellers wrote about Porto, one after the other, and two about something else
    travellers = [f"traveller{n}" for n in range(6)]
    ingest(
        session_factory,
        brand,
        [(handle, f"@Skyways my flight to Porto, note {n}") for n, handle in enumerate(travellers[:3])]
        + [("otto", "@Skyways the lounge was lovely"), ("pia", "@Skyways lost my bag")]
        + [(handle, f"@Skyways my flight to Porto, note {n + 3}") for n, handle in enumerate(travellers[3:])],
    )
    headers = token_for(session, brand)
    newest = [case_of(session, handle) for handle in reversed(travellers)]
    others = [case_of(session, handle) for handle in ("otto", "pia")]

    monkeypatch.setattr(queries, "CANDIDATES", 4)  # four matches are ranked, as 2,000 are on a desk
    monkeypatch.setattr(queries, "MAX_CASE_IDS", 3)
    at_once = client.get(URL, params={"q": "porto"}, headers=headers).json()
    # on PostgreSQL the newest ids are read a few at a time (1, then sized by what each held)
    monkeypatch.setattr(queries, "FIRST_WINDOW", 1)
    by_window = client.get(URL, params={"q": "porto"}, headers=headers).json()
    assert by_window == at_once
    assert at_once["total"] == 4 + 4  # the newest four messages and their four cases
    assert {r["id"] for r in at_once["results"] if r["kind"] == "case"} == set(newest[:4])
    assert [r["snippet"][-6:] for r in at_once["results"] if r["kind"] == "mention"] == [
        "note 5", "note 4", "note 3", "note 2"
    ]  # fmt: skip

    # a word none of the newest messages hold is looked for among every older one
    lounge = client.get(URL, params={"q": "lounge"}, headers=headers).json()
    assert [r["id"] for r in lounge["results"] if r["kind"] == "case"] == [case_of(session, "otto")]

    # the inbox narrowed by a search lists the cases of the newest matches, whichever way they are
    # read: words alone, with a case's status, a date or a handle, or the case's status alone
    for q in ("porto", "porto status:new", "porto after:2020-01-01", "status:new"):
        listed = client.get("/api/v1/cases", params={"q": q}, headers=headers).json()
        found = {item["id"] for item in listed["items"]}
        expected = set(newest[:3]) if q != "status:new" else set(sorted({*newest, *others}, reverse=True)[:3])
        assert found == expected, f"{q}: at most MAX_CASE_IDS cases, the newest"


def test_the_inbox_keeps_the_newest_cases_when_each_has_several_matching_messages(
    client: TestClient,
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # four travellers wrote twice each about Porto, one after the other: the newest three cases
    # hold six of the messages, so a read that stops at three messages stops short of them
    travellers = [f"traveller{n}" for n in range(4)]
    ingest(
        session_factory,
        brand,
        [(h, f"@Skyways my flight to Porto, part {k}") for h in travellers for k in (1, 2)],
    )
    for mention in session.scalars(select(Mention)):
        show_correction(session, mention=mention, analyzer="category", label="Refunds", actor_id=None)
    session.commit()
    headers = token_for(session, brand)
    newest = {case_of(session, handle) for handle in travellers[1:]}

    monkeypatch.setattr(queries, "MAX_CASE_IDS", 3)
    for first_window in (8000, 1):  # PostgreSQL's windows of the newest ids, and SQLite's for category:
        monkeypatch.setattr(queries, "FIRST_WINDOW", first_window)
        for q in ("porto", "porto status:new", "porto after:2020-01-01", "category:refunds"):
            listed = client.get("/api/v1/cases", params={"q": q}, headers=headers).json()
            assert {item["id"] for item in listed["items"]} == newest, q


def test_the_inbox_narrowed_to_a_category_lists_its_cases_when_a_repost_in_it_has_none(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand
) -> None:
    ingest(
        session_factory,
        brand,
        [
            ("ana", "@Skyways please refund my cancelled flight"),
            ("bo", "RT @ana: please refund my cancelled flight"),
        ],
    )
    first, repost = session.scalars(select(Mention).order_by(Mention.id)).all()
    assert repost.case_id is None, "a plain repost gets no case"
    for mention in (first, repost):
        show_correction(session, mention=mention, analyzer="category", label="Refunds", actor_id=None)
    session.commit()

    listed = client.get("/api/v1/cases", params={"q": "category:refunds"}, headers=token_for(session, brand))
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [first.case_id]


def test_a_category_finds_every_message_of_a_case_with_a_message_in_it_whether_its_cases_are_few_or_many(
    client: TestClient,
    session_factory: sessionmaker[Session],
    session: Session,
    brand: Brand,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest(
        session_factory,
        brand,
        [
            ("ana", "@Skyways please refund my cancelled flight"),
            ("bo", "@Skyways the crew were lovely"),
            ("ana", "@Skyways any news?"),
        ],
    )
    first, lovely, follow_up = session.scalars(select(Mention).order_by(Mention.id)).all()
    for mention, label in ((first, "Refunds"), (lovely, "Praise"), (follow_up, "Praise")):
        show_correction(session, mention=mention, analyzer="category", label=label, actor_id=None)
    session.commit()
    headers = token_for(session, brand)

    few = client.get(URL, params={"q": "category:refunds"}, headers=headers).json()
    # over FEW_CASES cases: PostgreSQL reads the messages newest first against the cases, hashed
    monkeypatch.setattr(queries, "FEW_CASES", 0)
    many = client.get(URL, params={"q": "category:refunds"}, headers=headers).json()
    assert many == few
    # Ana's follow-up says nothing of a refund, but her case does: it is found with her first message
    assert {(r["kind"], r["id"]) for r in many["results"]} == {
        ("case", first.case_id), ("mention", first.id), ("mention", follow_up.id)
    }  # fmt: skip
    assert many["total"] == 3


def test_the_search_page_lists_what_matches_and_says_plainly_when_nothing_does(
    client: TestClient, session_factory: sessionmaker[Session], session: Session, brand: Brand, agent: User
) -> None:
    import re

    ingest(session_factory, brand, [("mara_lind", "@Skyways my suitcase did not arrive in Lisbon")])
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    signed = client.post(
        "/login", data={"email": agent.email, "password": "correct horse", "csrf_token": token.group(1)}
    )
    assert signed.status_code == 303

    found = client.get("/search", params={"q": "lisbon"})
    assert found.status_code == 200
    assert 'data-testid="search-result"' in found.text
    # the case says where it stands; its one message, saying the same words, is not listed again
    assert re.findall(r'data-testid="search-result" data-kind="(\w+)"', found.text) == ["case"]
    assert re.search(r'data-testid="search-place">· New · opened <time', found.text)
    assert "1 match" not in found.text
    total = re.search(r"data-testid=\"search-total\">(.*?)</p>", found.text)
    assert total is not None
    assert total.group(1) == "2 matches; 1 message says what its case's line says and is not listed again"
    assert client.get("/api/v1/search", params={"q": "lisbon"}).json()["total"] == 2  # the API lists both
    assert 'data-testid="search-empty"' not in found.text
    assert 'data-testid="search-help"' not in found.text

    nothing = client.get("/search", params={"q": "zeppelin"})
    assert nothing.status_code == 200
    assert "Nothing matches “zeppelin”" in nothing.text
    assert 'data-testid="search-result"' not in nothing.text
    assert 'data-testid="search-help"' in nothing.text  # what may be typed instead
