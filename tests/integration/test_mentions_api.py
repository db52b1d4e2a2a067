"""POST /api/v1/mentions: a machine with a token pushes mentions in; repeats and mistakes are safe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role
from ombuds.mentions.api import MAX_MENTIONS_PER_REQUEST
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.settings import Settings
from ombuds.web.app import create_app

URL = "/api/v1/mentions"


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app) as client:
        yield client


def token_for(session: Session, brand: Brand) -> dict[str, str]:
    _, token = actions.create_api_token(session, brand=brand, name="helpdesk bridge")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def mention(external_id: str, **fields: object) -> dict[str, object]:
    return {
        "external_id": external_id,
        "author_handle": "mara",
        "text": "My bag never arrived in Lisbon",
        "created_at": "2026-03-02T09:00:00+01:00",
        "channel": "chat",
        **fields,
    }


def stored(factory: sessionmaker[Session]) -> list[Mention]:
    with factory() as session:
        return list(session.scalars(select(Mention).order_by(Mention.id)))


def test_without_a_valid_token_nothing_is_stored(
    client: TestClient, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    missing = client.post(URL, json=mention("1"))
    wrong = client.post(URL, json=mention("1"), headers={"Authorization": "Bearer not-a-token"})

    assert missing.status_code == 401
    assert "Bearer" in missing.json()["detail"]
    assert wrong.status_code == 401
    assert stored(session_factory) == []


def test_one_mention_is_stored_with_its_exact_json_as_raw_payload(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    body = json.dumps(mention("c-1", followers=812, metrics={"likes": 3}), indent=2).encode()

    answer = client.post(URL, content=b"  \n" + body + b"\n", headers=token_for(session, brand))

    assert answer.status_code == 200, answer.text
    [only] = stored(session_factory)
    assert answer.json() == {"imported": 1, "duplicates": 0, "ids": [only.id]}
    assert only.raw == body
    assert only.raw_format == "json"
    assert (only.brand_id, only.stage, only.direction) == (brand.id, Stage.INGESTED, Direction.INBOUND)
    assert only.created_at.isoformat() == "2026-03-02T08:00:00+00:00"
    assert (only.author_followers, only.metrics) == (812, {"likes": 3})
    with session_factory() as check:
        source = check.get(Source, only.source_id)
        assert source is not None
        assert (source.kind, source.name) == ("api", "api:default")


def test_the_earlier_field_name_author_is_still_accepted_as_the_handle(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    older = {key: value for key, value in mention("old-1").items() if key != "author_handle"}

    answer = client.post(URL, json={**older, "author": "kees"}, headers=token_for(session, brand))

    assert answer.status_code == 200, answer.text
    assert [found.author_handle for found in stored(session_factory)] == ["kees"]


def test_a_list_answers_one_id_per_item_and_repeats_count_as_duplicates(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    headers = token_for(session, brand)
    sent = json.dumps([mention("a"), mention("b", direction="outbound"), mention("a")], indent=1)
    first = client.post(URL, content=sent, headers=headers)
    again = client.post(URL, json=[mention("b"), mention("c")], headers=headers)

    assert first.status_code == 200, first.text
    ids = first.json()["ids"]
    assert first.json()["imported"] == 2
    assert first.json()["duplicates"] == 1
    assert ids[0] == ids[2]
    assert again.json()["imported"] == 1
    assert again.json()["duplicates"] == 1
    assert again.json()["ids"][0] == ids[1]
    rows = stored(session_factory)
    assert [m.external_id for m in rows] == ["a", "b", "c"]
    assert rows[0].raw.decode() in sent
    assert json.loads(rows[0].raw) == mention("a")
    assert rows[1].direction is Direction.OUTBOUND


def test_one_invalid_item_rejects_the_whole_request_with_the_path_of_every_problem(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    items = [
        mention("ok"),
        mention("naive", created_at="2026-03-02 09:00:00"),
        mention("blank", text="   "),
        {**mention("extra"), "sentiment": "negative"},
        mention("huge", text="x" * 50_001),
    ]
    del items[4]["author_handle"]

    answer = client.post(URL, json=items, headers=token_for(session, brand))

    assert answer.status_code == 422
    problems = {tuple(problem["loc"]): problem["msg"] for problem in answer.json()["detail"]}
    assert problems[("body", 1, "created_at")] == "Input should have timezone info"
    assert "text is blank" in problems[("body", 2, "text")]
    assert problems[("body", 3, "sentiment")] == "Extra inputs are not permitted"
    assert problems[("body", 4, "author_handle")] == "Field required"
    assert "at most 50000 characters" in problems[("body", 4, "text")]
    assert not any(loc[:2] == ("body", 0) for loc in problems)
    assert stored(session_factory) == []


def test_a_single_invalid_object_is_reported_without_an_index(
    client: TestClient, session: Session, brand: Brand
) -> None:
    answer = client.post(
        URL, json=mention("x", url="ftp://files", followers=-3), headers=token_for(session, brand)
    )

    assert answer.status_code == 422
    locs = sorted(tuple(problem["loc"]) for problem in answer.json()["detail"])
    assert locs == [("body", "followers"), ("body", "url")]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"external_id": "1", ', "invalid JSON"),
        (b"[]", "at least one mention"),
        (b'[{"external_id": "1"} {"external_id": "2"}]', "expected ',' or ']'"),
        (b'{"a": 1} {"b": 2}', "unexpected data"),
        (b"caf\xe9", "not UTF-8"),
        (b'{"followers": NaN}', "NaN is not valid JSON"),
    ],
)
def test_bodies_that_are_not_json_mentions_get_a_clear_422(
    client: TestClient, session: Session, brand: Brand, body: bytes, says: str
) -> None:
    answer = client.post(URL, content=body, headers=token_for(session, brand))

    assert answer.status_code == 422
    assert says in answer.json()["detail"][0]["msg"]


def test_more_than_the_limit_of_mentions_per_request_is_refused(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    items = [mention(str(number)) for number in range(MAX_MENTIONS_PER_REQUEST + 1)]

    answer = client.post(URL, json=items, headers=token_for(session, brand))

    assert answer.status_code == 413
    assert str(MAX_MENTIONS_PER_REQUEST) in answer.json()["detail"]
    assert stored(session_factory) == []


def test_each_token_writes_to_its_own_brand_and_sources_keep_ids_apart(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    rail = actions.create_brand(session, slug="railco", name="RailCo")
    session.commit()

    client.post(URL, json=mention("42"), headers=token_for(session, brand))
    client.post(URL, json=mention("42"), headers=token_for(session, rail))
    from_chat = client.post(f"{URL}?source=zendesk", json=mention("42"), headers=token_for(session, rail))
    bad_source = client.post(f"{URL}?source=Not Valid", json=mention("43"), headers=token_for(session, rail))

    assert from_chat.json()["imported"] == 1
    assert bad_source.status_code == 422
    with session_factory() as check:
        per_brand = dict(
            check.execute(select(Mention.brand_id, func.count()).group_by(Mention.brand_id)).all()  # type: ignore[arg-type]
        )
        names = set(check.scalars(select(Source.name).where(Source.brand_id == rail.id)))
    assert per_brand == {brand.id: 1, rail.id: 2}
    assert names == {"api:default", "api:zendesk"}


def test_the_openapi_schema_documents_the_request_body(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["post"]

    body = operation["requestBody"]["content"]["application/json"]["schema"]
    single, many = body["oneOf"]
    assert set(single["required"]) == {"external_id", "author_handle", "text", "created_at"}
    assert many["maxItems"] == MAX_MENTIONS_PER_REQUEST
    assert {"401", "413", "422"} <= set(operation["responses"])


def test_a_viewers_token_reads_but_adds_no_mention_and_an_agents_token_does(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    tokens = {}
    for role in (Role.VIEWER, Role.AGENT):
        person = actions.create_user(
            session, email=f"{role.value}@skyways.test", name=role.value, password="pw-123456"
        )
        actions.add_membership(session, user=person, brand=brand, role=role)
        _, tokens[role] = actions.create_api_token(session, brand=brand, name=role.value, user=person)
    session.commit()

    refused = client.post(URL, json=mention("v1"), headers={"Authorization": f"Bearer {tokens[Role.VIEWER]}"})
    assert refused.status_code == 403, refused.text
    assert "viewer" in refused.json()["detail"]
    assert stored(session_factory) == []
    taken = client.post(URL, json=mention("a1"), headers={"Authorization": f"Bearer {tokens[Role.AGENT]}"})
    assert taken.status_code == 200, taken.text
    assert [m.external_id for m in stored(session_factory)] == ["a1"]
