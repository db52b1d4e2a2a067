"""Secrets people hand Ombuds are stored so that a copy of the database does not reveal them."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from ombuds.accounts import actions, queries
from ombuds.accounts.models import ApiToken, Brand, User


def test_an_api_token_is_stored_only_as_its_digest(session: Session, brand: Brand) -> None:
    row, plain = actions.create_api_token(session, brand=brand, name="bridge")
    session.commit()

    stored = session.get(ApiToken, row.id)
    assert stored is not None
    assert plain not in (stored.digest, stored.name)
    assert stored.digest == hashlib.sha256(plain.encode()).hexdigest()
    assert queries.get_api_token(session, plain) == stored


def test_a_password_is_stored_as_an_argon2_hash(session: Session, agent: User) -> None:
    assert agent.password_hash.startswith("$argon2id$")
    assert "correct horse" not in agent.password_hash
    assert actions.authenticate(session, email=agent.email, password="correct horse") == agent
