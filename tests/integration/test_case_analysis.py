"""What analysis found shows on the case: signals with their evidence marked, personal data masked for viewers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.models import Case
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.integration.test_web_cases import NOW, PASSWORD, add_case, add_mention, sign_in

CARD = "4111 1111 1111 1111"
EMAIL = "ana.sousa@example.org"
TEXT = (
    f"Card {CARD} was charged twice for LK88. Fix it or I am cancelling my account. "
    f"Email me at {EMAIL}, not here."
)


def span(text: str, part: str) -> dict[str, int]:
    start = text.index(part)
    return {"start": start, "end": start + len(part)}


@pytest.fixture
def client(session_factory: sessionmaker[Session], tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings=Settings(data_dir=tmp_path, secret_key="test"), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def viewer(session: Session, brand: Brand) -> User:
    user = actions.create_user(session, email="vic@skyways.test", name="Vic Viewer", password=PASSWORD)
    actions.add_membership(session, user=user, brand=brand, role=Role.VIEWER)
    session.commit()
    return user


@pytest.fixture
def double_charge(session: Session, brand: Brand, team: Team) -> Case:
    """A churn threat with a card number and an email address in it, as the analyzers store them."""
    case = add_case(
        session,
        brand=brand,
        subject=f"Card {CARD} was charged twice for LK88…",
        handle="ana",
        opened_hours_ago=2,
        team=team,
    )
    add_mention(
        session,
        case=case,
        text=TEXT,
        at=NOW - timedelta(hours=2),
        findings={
            "sentiment": {"label": "negative", "score": 0.91},
            "intent": {"label": "complaint", "score": 0.88, "data": {"cues": ["charged twice"]}},
            "category": {"label": "billing", "score": 0.74},
            "reach": {"label": "low", "score": 0.12},
            "language": {"label": "en", "score": 0.99},
            "signals": {
                "label": "churn_threat",
                "score": 2.0,
                "data": {
                    "signals": [
                        {
                            "name": "churn_threat",
                            "evidence": [
                                {**span(TEXT, "cancelling my account"), "text": "cancelling my account"}
                            ],
                        },
                        {
                            "name": "private_channel",
                            "evidence": [{**span(TEXT, "Email me"), "text": "Email me", "field": "text"}],
                        },
                    ]
                },
            },
            "pii": {
                "label": "pii",
                "score": 2.0,
                "data": {
                    "spans": [
                        {"kind": "card_number", **span(TEXT, CARD)},
                        {"kind": "email", **span(TEXT, EMAIL)},
                    ],
                    "kinds": ["card_number", "email"],
                    "redacted": TEXT.replace(CARD, "[card]").replace(EMAIL, "[email]"),
                },
            },
        },
    )
    session.commit()
    return case


def mention_html(page: str) -> str:
    found = re.search(r'<article class="mention.*?</article>', page, re.DOTALL)
    assert found, "no message on the page"
    return found.group(0)


def test_an_agent_sees_the_findings_and_the_evidence_marked_in_the_message(
    client: TestClient, agent: User, double_charge: Case
) -> None:
    sign_in(client, agent.email)
    page = client.get(f"/cases/{double_charge.id}")

    message = mention_html(page.text)
    assert (
        '<mark class="signal signal-churn_threat" title="Evidence: Churn threat">cancelling my account</mark>'
        in message
    )
    assert (
        '<mark class="signal signal-private_channel" title="Evidence: Private channel">Email me</mark>'
        in message
    )
    assert f'<span class="pii" title="Personal data: Card number">{CARD}</span>' in message
    assert EMAIL in message
    for chip in (
        "Negative",
        "Complaint",
        "Billing",
        "Reach</span> Low",
        "Lang</span> en",
        "Churn threat",
        "Private channel",
    ):
        assert chip in message, chip
    assert "Personal data: Card number, Email" in message
    assert CARD in page.text.split("<h1>")[1]  # agents see the subject as written


def test_a_viewer_never_receives_the_personal_data(
    client: TestClient, viewer: User, double_charge: Case
) -> None:
    sign_in(client, viewer.email)
    page = client.get(f"/cases/{double_charge.id}")
    inbox = client.get("/inbox")
    api = client.get(f"/api/v1/cases/{double_charge.id}")
    listing = client.get("/api/v1/cases")

    for answer in (page, inbox, api, listing):
        assert answer.status_code == 200
        assert CARD not in answer.text
        assert EMAIL not in answer.text
        assert "4111" not in answer.text
    message = mention_html(page.text)
    assert 'Card <span class="pii-mask"' in message
    assert ">[card]</span> was charged twice" in message
    assert ">[email]</span>, not here." in message
    # The evidence is still marked, and the offsets still land on the right words after masking.
    assert (
        '<mark class="signal signal-churn_threat" title="Evidence: Churn threat">cancelling my account</mark>'
        in message
    )
    assert "Personal data hidden" in message
    assert "<h1>Card [card] was charged twice for LK88…</h1>" in page.text
    assert "Card [card] was charged twice" in inbox.text
    detail = api.json()
    assert detail["pii_masked"] is True
    assert detail["mentions"][0]["text"] == TEXT.replace(CARD, "[card]").replace(EMAIL, "[email]")
    assert [piece["text"] for piece in detail["mentions"][0]["segments"] if piece["masked"]] == [
        "[card]",
        "[email]",
    ]


def test_an_agent_gets_the_original_text_over_the_api_with_segments(
    client: TestClient, agent: User, double_charge: Case
) -> None:
    sign_in(client, agent.email)
    detail = client.get(f"/api/v1/cases/{double_charge.id}").json()
    mention = detail["mentions"][0]
    assert detail["pii_masked"] is False
    assert mention["text"] == TEXT
    assert "".join(piece["text"] for piece in mention["segments"]) == TEXT
    marked = {piece["text"]: piece["signals"] for piece in mention["segments"] if piece["signals"]}
    assert marked == {"cancelling my account": ["churn_threat"], "Email me": ["private_channel"]}
