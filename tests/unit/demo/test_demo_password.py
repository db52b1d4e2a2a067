"""The demo's people share one password, hashed once: argon2 spends its time on purpose per hash."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import User
from ombuds.demo.seed import DEMO_PASSWORD, seed_brand


def test_every_demo_person_signs_in_with_the_demo_password_hashed_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    real = actions.hash_password

    def counted(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(actions, "hash_password", counted)
    monkeypatch.setattr("ombuds.accounts.security.hash_password", counted)

    _, credentials = seed_brand(session)

    people = list(session.scalars(select(User)))
    assert len(people) > len(credentials) >= 5, "the one-per-role people and the other agents"
    assert hashed == [DEMO_PASSWORD]
    for person in people:
        assert actions.authenticate(session, email=person.email, password=DEMO_PASSWORD) == person
