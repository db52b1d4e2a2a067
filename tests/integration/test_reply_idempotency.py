"""A reply sent again is not sent twice: the API's Idempotency-Key and the case page's form token.

A client that times out and retries, or an agent who clicks twice, must not send the customer the
same words twice.
"""

from __future__ import annotations

import re
import threading

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Case
from ombuds.errors import Conflict
from ombuds.responses import actions
from ombuds.responses.models import Reply
from tests.integration.test_replies import bearer, complaint, member
from tests.integration.test_web_cases import sign_in

KIND_WORDS = "Sorry about the delay, we are looking into it now."


def post_reply(client: TestClient, case: Case, headers: dict[str, str]) -> Response:
    return client.post(f"/api/v1/cases/{case.id}/replies", json={"text": KIND_WORDS}, headers=headers)


def replies_on(session: Session, case: Case) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Reply).where(Reply.case_id == case.id)) or 0


def test_a_request_sent_again_with_its_key_answers_with_the_first_reply(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="My flight was cancelled and nobody tells me why")
    headers = bearer(session, brand, agent) | {"Idempotency-Key": "retry-7f3a"}
    first = post_reply(client, case, headers)
    again = post_reply(client, case, headers)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert replies_on(session, case) == 1

    # without a key, or with a new one, each request is a reply of its own
    plain = bearer(session, brand, agent)
    assert post_reply(client, case, plain).status_code == 201
    fresh = plain | {"Idempotency-Key": "retry-7f3b"}
    assert post_reply(client, case, fresh).status_code == 201
    assert replies_on(session, case) == 3

    # both halves of an acknowledgement come back as they were made
    both = {
        "public_text": "Sorry about this, we have sent you a DM.",
        "private_text": "Could you send your booking code?",
    }
    ack = plain | {"Idempotency-Key": "ack-1"}
    made = client.post(f"/api/v1/cases/{case.id}/replies/acknowledge-then-private", json=both, headers=ack)
    repeat = client.post(f"/api/v1/cases/{case.id}/replies/acknowledge-then-private", json=both, headers=ack)
    assert (made.status_code, repeat.status_code) == (201, 200)
    assert [r["id"] for r in repeat.json()] == [r["id"] for r in made.json()]
    assert replies_on(session, case) == 5

    # the key sent again with other words is refused, not answered with the first reply as if
    # the new words were stored; the same words still replay
    other = client.post(
        f"/api/v1/cases/{case.id}/replies", json={"text": "Other words entirely."}, headers=headers
    )
    assert other.status_code == 422, other.text
    assert "Idempotency-Key: this key was used for reply" in other.json()["detail"]
    private = client.post(
        f"/api/v1/cases/{case.id}/replies",
        json={"text": KIND_WORDS, "visibility": "private"},
        headers=headers,
    )
    assert private.status_code == 422
    changed = {**both, "private_text": "Could you send your booking code and phone?"}
    ack_again = client.post(
        f"/api/v1/cases/{case.id}/replies/acknowledge-then-private", json=changed, headers=ack
    )
    assert ack_again.status_code == 422
    assert post_reply(client, case, headers).status_code == 200
    assert replies_on(session, case) == 5


def test_a_key_belongs_to_one_case_one_brand_and_someone_who_may_reply(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    other_brand = accounts.create_brand(session, slug="airgo", name="AirGo")
    accounts.create_team(session, brand=other_brand, slug="care", name="Care", is_default=True)
    session.commit()
    case = complaint(session, brand, text="Lost my bag in Denver", handle="ana")
    second = complaint(session, brand, text="Seat was broken the whole flight", handle="ben")
    headers = bearer(session, brand, agent) | {"Idempotency-Key": "k-1"}
    assert post_reply(client, case, headers).status_code == 201
    reused = post_reply(client, second, headers)
    assert reused.status_code == 409
    assert f"case #{case.id}" in reused.json()["detail"]
    assert replies_on(session, second) == 0

    # another brand's client may pick the same key for its own reply
    theirs = complaint(session, other_brand, text="Refund never arrived", handle="cy")
    their_agent = member(session, other_brand, Role.AGENT, "otto")
    other = bearer(session, other_brand, their_agent) | {"Idempotency-Key": "k-1"}
    assert post_reply(client, theirs, other).status_code == 201

    # a viewer is refused before anything is looked up or held
    viewer = member(session, brand, Role.VIEWER, "vera")
    as_viewer = bearer(session, brand, viewer) | {"Idempotency-Key": "k-1"}
    assert post_reply(client, case, as_viewer).status_code == 403

    bad_keys: list[str | bytes] = ["", "x" * 256, "has space", "caf\u00e9".encode("latin-1")]
    for bad in bad_keys:
        answer = client.post(
            f"/api/v1/cases/{case.id}/replies",
            json={"text": KIND_WORDS},
            headers={**bearer(session, brand, agent), "Idempotency-Key": bad},
        )
        assert answer.status_code == 422, (bad, answer.text)
    assert replies_on(session, case) == 1


def test_two_requests_with_one_key_at_once_make_one_reply(
    session: Session, session_factory: sessionmaker[Session], brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Charged twice for one ticket")
    keys = actions.submission_keys(brand.id, "same-key")
    start = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        with session_factory() as own:
            mine, actor = own.get_one(Case, case.id), Actor(user=own.get_one(User, agent.id))
            start.wait()
            try:
                earlier = actions.earlier_submission(own, case=mine, keys=keys, actor=actor)
                reply = (
                    earlier[0]
                    if earlier
                    else actions.submit_reply(
                        own,
                        case=mine,
                        text=KIND_WORDS,
                        visibility=actions.Visibility.PUBLIC,
                        actor=actor,
                        idempotency_key=keys[0],
                    )
                )
                own.commit()
                made.append(reply.id)
            except Conflict as error:
                errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(made) == 2
    assert made[0] == made[1]
    assert replies_on(session, case) == 1


def test_the_reply_form_sent_twice_sends_once_and_new_words_are_a_new_reply(
    client: TestClient, session: Session, brand: Brand, agent: User
) -> None:
    case = complaint(session, brand, text="Where is my refund? Three weeks now")
    sign_in(client, agent.email)
    page = client.get(f"/cases/{case.id}")
    form = re.search(r'data-testid="reply-form">(.*?)</form>', page.text, re.S)
    assert form is not None
    fields = dict(
        re.findall(r'<input type="hidden" name="(csrf_token|submission)" value="([^"]+)"', form.group(1))
    )
    assert set(fields) == {"csrf_token", "submission"}
    sent = fields | {"visibility": "public", "text": KIND_WORDS}
    for _ in range(2):  # a second click, or the browser sending the page again
        assert client.post(f"/cases/{case.id}/replies", data=sent, follow_redirects=False).status_code == 303
    assert replies_on(session, case) == 1
    after = client.get(f"/cases/{case.id}")
    assert "sent already" in after.text

    # back to the same page, other words: a reply of its own
    other = sent | {"text": "One more thing: the refund left our side today."}
    assert client.post(f"/cases/{case.id}/replies", data=other, follow_redirects=False).status_code == 303
    assert replies_on(session, case) == 2
    # each rendering of the page is a new submission
    assert client.get(f"/cases/{case.id}").text.count(fields["submission"]) == 0
