"""Team members and availability from the command line: the operator at the server puts people in a
team, lists them with their load, and sets someone away and back."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import AssignmentPolicy, Brand, Membership, Role, Team, User
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.clock import utcnow
from ombuds.db import transaction
from tests.conftest import Ombuds


def test_the_operator_staffs_a_team_and_sets_someone_away(
    ombuds: Ombuds, session: Session, session_factory: sessionmaker[Session], brand: Brand, team: Team
) -> None:
    for email, name in (("ann@skyways.test", "Ann"), ("ben@skyways.test", "Ben")):
        user = actions.create_user(session, email=email, name=name, password="correct horse")
        actions.add_membership(session, user=user, brand=brand, role=Role.AGENT)
    team.assignment = AssignmentPolicy.ROUND_ROBIN
    session.commit()

    for email in ("ann@skyways.test", "ben@skyways.test"):
        added = ombuds("team", "member", "add", "care", email, "--brand", "skyways")
        assert added.exit_code == 0, added.output
    again = ombuds("team", "member", "add", "care", "ann@skyways.test", "--brand", "skyways")
    assert "was already in team care" in again.output
    missing = ombuds("team", "member", "add", "legal", "ann@skyways.test", "--brand", "skyways")
    assert missing.exit_code != 0
    assert "no team 'legal'" in missing.output

    with transaction(session_factory) as work:
        ann = work.scalar(select(User).where(User.email == "ann@skyways.test"))
        assert ann is not None
        for number in range(2):
            work.add(
                Case(
                    brand_id=brand.id,
                    customer_id=_customer(work, brand, number),
                    subject=f"case {number}",
                    channel="x",
                    status=CaseStatus.OPEN,
                    team_id=team.id,
                    assignee_id=ann.id,
                    opened_at=utcnow(),
                    last_activity_at=utcnow(),
                )
            )
    listed = ombuds("team", "member", "list", "care", "--brand", "skyways", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(row["name"], row["open cases"], row["away"]) for row in rows] == [
        ("Ann", 2, False),
        ("Ben", 0, False),
    ]

    away = ombuds("user", "away", "ann@skyways.test", "--brand", "skyways")
    assert away.exit_code == 0, away.output
    assert "2 open case(s) went back to the team queues" in " ".join(away.output.split())
    with session_factory() as reading:
        ben = reading.scalar(select(User).where(User.email == "ben@skyways.test"))
        assert ben is not None
        assert [case.assignee_id for case in reading.scalars(select(Case))] == [ben.id, ben.id]
        membership = reading.scalar(
            select(Membership).where(Membership.user_id != ben.id, Membership.brand_id == brand.id)
        )
        assert membership is not None
        assert membership.away_since is not None

    back = ombuds("user", "back", "ann@skyways.test", "--brand", "skyways")
    assert "is back at skyways" in back.output
    assert "was not away" in ombuds("user", "back", "ann@skyways.test", "--brand", "skyways").output
    removed = ombuds("team", "member", "remove", "care", "ben@skyways.test", "--brand", "skyways")
    assert "left team care" in removed.output


def _customer(session: Session, brand: Brand, number: int) -> int:
    customer = Customer(brand_id=brand.id, display_name=f"customer {number}")
    session.add(customer)
    session.flush()
    return customer.id
