"""The Team page opens on the person's own team, as the Tasks page does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role
from ombuds.clock import utcnow
from ombuds.routing.assignment_actions import add_team_member
from tests.integration.test_web_cases import PASSWORD, sign_in


def test_the_team_page_opens_on_the_persons_own_team(
    client: TestClient, session: Session, brand: Brand
) -> None:
    accounts.create_team(session, brand=brand, slug="baggage", name="Baggage Services")  # first by name
    billing = accounts.create_team(session, brand=brand, slug="billing", name="Refunds & Billing")
    ada = accounts.create_user(session, email="ada@skyways.test", name="Ada Agent", password=PASSWORD)
    accounts.add_membership(session, user=ada, brand=brand, role=Role.AGENT)
    vic = accounts.create_user(session, email="vic@skyways.test", name="Vic Viewer", password=PASSWORD)
    accounts.add_membership(session, user=vic, brand=brand, role=Role.VIEWER)
    add_team_member(session, team=billing, user=ada, actor=None, at=utcnow())
    session.commit()

    def heading() -> str:
        found = re.search(r"<h1>(.*?)</h1>", client.get("/team").text)
        assert found is not None
        return found.group(1)

    sign_in(client, ada.email)
    assert heading() == "Team: Refunds &amp; Billing"  # hers, though two teams come first by name
    client.cookies.clear()
    sign_in(client, vic.email)
    assert heading() == "Team: Baggage Services"  # in no team: the first one
