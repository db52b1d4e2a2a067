"""A reply goes to the case's own customer: a case merged with another customer's keeps their
messages on its timeline, and a private answer must not reach them."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand, User
from ombuds.responses.sending import deliver_due_replies
from tests.integration.test_replies import (  # noqa: F401 (fixtures)
    Receiver,
    bearer,
    client,
    complaint,
    receiver_factory,
    webhook,
)


def test_a_private_reply_on_a_merged_case_goes_to_its_own_customer_not_the_newest_writer(
    client: TestClient,  # noqa: F811
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    receiver_factory: type[Receiver],  # noqa: F811
) -> None:
    receiver = receiver_factory([])
    webhook(session, brand, receiver.url)
    maya = complaint(session, brand, text="Where is my bag? Three days now", handle="maya")
    bob = complaint(session, brand, text="My bag is lost as well, same flight", handle="bob")
    headers = bearer(session, brand, agent)
    merged = client.post(f"/api/v1/cases/{maya.id}/merge", json={"other_id": bob.id}, headers=headers)
    assert merged.status_code == 200, merged.text

    sent = client.post(
        f"/api/v1/cases/{maya.id}/replies",
        json={"text": "Sorry {customer_name}, your bag is on its way ({case_ref})", "visibility": "private"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    deliver_due_replies(session_factory)

    [(_, body)] = receiver.requests
    delivered = json.loads(body)
    assert delivered["recipient"] == "maya", "Maya's answer, with her name and case, is for Maya"
    assert "Maya" in delivered["text"]
