"""Care outcomes per agent and per channel (GET /api/v1/metrics/breakdown and the dashboard's table)
on one hand-written week: two agents, two channels, every figure worked out by hand below.

The week is Monday 2 to Sunday 8 November 2026, as in test_metrics_outcomes.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, Role, User
from ombuds.cases.actions import set_case_owner
from ombuds.cases.models import Case, CaseStatus
from ombuds.mentions.models import Mention
from tests.integration.test_metrics_outcomes import WEEK, Desk, at
from tests.integration.test_web_cases import PASSWORD, sign_in


def _by_email(desk: Desk, case: Case) -> None:
    """The case came by email: a private channel, so no public complaint."""
    first = desk.session.scalar(select(Mention).where(Mention.case_id == case.id))
    assert first is not None
    first.channel, first.is_public, case.channel = "email", False, "email"
    desk.session.commit()


def _owner(desk: Desk, case: Case, agent: User, when: str) -> None:
    set_case_owner(desk.session, case=case, team_id=None, assignee_id=agent.id, at=at(when))
    desk.session.commit()


def test_outcomes_per_agent_and_channel_are_each_groups_own_cases_in_the_order_of_names(
    client: TestClient, session: Session, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    desk = Desk(session, session_factory, brand)
    people = {}
    for email, name in (("zoe@skyways.test", "Zoe Agent"), ("ann@skyways.test", "Ann Agent")):
        people[name] = accounts.create_user(session, email=email, name=name, password=PASSWORD)
        accounts.add_membership(session, user=people[name], brand=brand, role=Role.AGENT)
    zoe, ann = people["Zoe Agent"], people["Ann Agent"]
    _, secret = accounts.create_api_token(session, brand=brand, name="metrics")
    session.commit()
    bearer = httpx2.Headers({"Authorization": f"Bearer {secret}"})

    # P1 on X: Ann takes it, then Zoe (a handoff); answered and resolved Monday.
    p1 = desk.complaint("pia", "2026-11-02T09:00")
    _owner(desk, p1, ann, "2026-11-02T09:05")
    _owner(desk, p1, zoe, "2026-11-02T09:10")
    desk.reply(p1, "pia", "2026-11-02T10:00")
    desk.status(p1, CaseStatus.RESOLVED, "2026-11-02T12:00")
    # P2 on X, Zoe's: negative before our reply, happy after it; first contact.
    p2 = desk.complaint("pat", "2026-11-03T09:00")
    _owner(desk, p2, zoe, "2026-11-03T09:05")
    desk.reply(p2, "pat", "2026-11-03T10:00")
    desk.again(p2, "pat", "2026-11-03T10:30", mood="positive")
    desk.status(p2, CaseStatus.RESOLVED, "2026-11-03T11:00")
    # P3 by email, Zoe's, never answered: open at the end of the week, five days old, nobody's
    # audience: (1 + 0) × (1 + 5/7) = 1.71.
    p3 = desk.complaint("pam", "2026-11-04T00:00")
    _by_email(desk, p3)
    _owner(desk, p3, zoe, "2026-11-04T09:00")
    # Q1 by email, Ann's: answered and resolved Thursday; first contact.
    q1 = desk.complaint("quin", "2026-11-05T09:00")
    _by_email(desk, q1)
    _owner(desk, q1, ann, "2026-11-05T09:05")
    desk.reply(q1, "quin", "2026-11-05T10:00")
    desk.status(q1, CaseStatus.RESOLVED, "2026-11-05T12:00")

    def rows(by: str) -> dict[str, dict[str, Any]]:
        found = client.get("/api/v1/metrics/breakdown", params={**WEEK, "by": by}, headers=bearer)
        assert found.status_code == 200, found.text
        assert found.json()["by"] == by
        return {row["name"]: {"id": row["id"], **row["outcomes"]} for row in found.json()["rows"]}

    agents = rows("agent")
    # by name: Ann before Zoe, though Zoe holds more cases and came first
    assert list(agents) == ["Ann Agent", "Zoe Agent"]
    ann_row, zoe_row = agents["Ann Agent"], agents["Zoe Agent"]
    assert (ann_row["id"], zoe_row["id"]) == (ann.id, zoe.id)
    # Ann: Q1 alone, opened and resolved at first contact; nothing to say of moods or public
    assert (ann_row["cases_opened"], ann_row["cases_resolved"], ann_row["resolution_rate"]) == (1, 1, 1.0)
    assert (ann_row["first_contact_resolution_rate"], ann_row["handoffs_per_case"]) == (1.0, 0.0)
    assert ann_row["sentiment_recovery"]["recovery_rate"] is None
    assert ann_row["public_complaints"] == {"cases": 0, "closed_in_public": 0, "rate": None}
    # Zoe holds P1 P2 P3: opened 3, resolved 2 (2/3); first contact P2 alone (1/2); P1's one
    # handoff over 2; P2 recovered (1/1, -1 to +1: +2); P1 and P2 public complaints answered in
    # public (2/2); P3 unresolved 1.71 against P2's positive experience: 1 / 1.71 = 0.58
    assert (zoe_row["cases_opened"], zoe_row["cases_resolved"], zoe_row["resolution_rate"]) == (3, 2, 0.6667)
    assert (zoe_row["first_contact_resolution_rate"], zoe_row["handoffs_per_case"]) == (0.5, 0.5)
    assert zoe_row["sentiment_recovery"] == {
        "measured": 1,
        "negative_before": 1,
        "recovered": 1,
        "recovery_rate": 1.0,
        "mean_change": 2.0,
    }
    assert zoe_row["public_complaints"] == {"cases": 2, "closed_in_public": 2, "rate": 1.0}
    assert zoe_row["experience_debt"] == {"unresolved_negative": 1.71, "resolved_positive": 1, "ratio": 0.58}

    channels = rows("channel")
    assert list(channels) == ["email", "x"]
    # email: P3 and Q1, Q1 resolved (1/2) at first contact; P3's debt. X: P1 and P2 (2/2), P2 at first contact
    assert (channels["email"]["cases_opened"], channels["email"]["resolution_rate"]) == (2, 0.5)
    assert channels["email"]["first_contact_resolution_rate"] == 1.0
    assert channels["email"]["experience_debt"]["unresolved_negative"] == 1.71
    assert (channels["x"]["cases_opened"], channels["x"]["resolution_rate"]) == (2, 1.0)
    assert channels["x"]["first_contact_resolution_rate"] == 0.5
    assert channels["x"]["public_complaints"]["rate"] == 1.0

    # no message carries a category: one group without one, holding all four cases
    categories = rows("category")
    assert list(categories) == ["No category"]
    assert (categories["No category"]["id"], categories["No category"]["cases_opened"]) == (None, 4)

    refused = client.get("/api/v1/metrics/breakdown", params={**WEEK, "by": "volume"}, headers=bearer)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("by:")
    assert client.get("/api/v1/metrics/breakdown", params=WEEK, headers=bearer).status_code == 400
    accounts.create_brand(session, slug="rival", name="Rival")
    session.commit()
    hidden = client.get(
        "/api/v1/metrics/breakdown", params={**WEEK, "by": "agent", "brand": "rival"}, headers=bearer
    )
    assert hidden.status_code == 404
    for field in ("by", "from", "to", "team_id"):
        for value in ("a\x00b", "9223372036854775808", "-1", "x" * 5000):
            answer = client.get(
                "/api/v1/metrics/breakdown", params={**WEEK, "by": "agent", field: value}, headers=bearer
            )
            assert answer.status_code in (400, 422), (field, value[:20], answer.status_code)

    # The dashboard's table, by agent: the same order, and Zoe's first-contact figure leads to P2 alone.
    sign_in(client, ann.email)
    page = client.get("/dashboard", params={**WEEK, "by": "agent"})
    assert page.status_code == 200, page.text
    assert re.findall(r'data-testid="breakdown-row" data-key="(\d+)"', page.text) == [
        str(ann.id),
        str(zoe.id),
    ]
    link = re.search(rf'href="(/dashboard/cases\?figure=first_contact[^"]*agent={zoe.id}[^"]*)"', page.text)
    assert link, "each cell links to its cases"
    behind = client.get(html.unescape(link.group(1)))
    assert re.findall(r'data-testid="case-row" data-case-id="(\d+)"', behind.text) == [str(p2.id)]
    # by channel: email's unresolved negative experience is P3
    page = client.get("/dashboard", params={**WEEK, "by": "channel"})
    assert re.findall(r'data-testid="breakdown-row" data-key="(\w+)">\s*<td><strong>([^<]+)<', page.text) == [
        ("email", "Email"),
        ("x", "X"),
    ], "the page writes channels as people do; the API keeps the word"
    link = re.search(r'href="(/dashboard/cases\?figure=debt[^"]*channel=email[^"]*)"', page.text)
    assert link
    behind = client.get(html.unescape(link.group(1)))
    assert re.findall(r'data-testid="case-row" data-case-id="(\d+)"', behind.text) == [str(p3.id)]
