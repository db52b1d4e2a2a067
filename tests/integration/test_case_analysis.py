"""What analysis found shows on the case: signals with their evidence marked, personal data masked for viewers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Role, Team, User
from ombuds.cases.models import Case
from ombuds.enrichment.models import Enrichment, LabeledExample
from ombuds.mentions.models import Mention
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
            "duplicates": {
                "label": "3fb6af64182dc7a8",
                "data": {"exact_key": "3fb6af64182dc7a8", "simhash": "ad758e4bd74b98bb"},
            },
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
    assert "Analysis details" in message
    assert "<h3>Personal data <span" in message  # the analyzer named as people say it, not "Pii"
    for key in ("ad758e4bd74b98bb", "3fb6af64182dc7a8"):
        assert key not in message, "the look-alike hashes are the machine's, not the agent's"


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


# --- corrections: agents teach the analysis --------------------------------------------------------


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_an_agents_correction_is_stored_with_them_and_shows_on_the_case(
    client: TestClient, session: Session, agent: User, viewer: User, double_charge: Case
) -> None:
    mention = session.scalars(select(Mention).where(Mention.case_id == double_charge.id)).one()
    sign_in(client, agent.email)
    page = client.get(f"/cases/{double_charge.id}")
    assert 'data-testid="correct-analysis"' in mention_html(page.text)
    assert '<option value="billing"></option>' in page.text  # the brand's categories are suggested

    answer = client.post(
        f"/cases/{double_charge.id}/mentions/{mention.id}/correction",
        data={
            "csrf_token": csrf_of(page.text),
            "sentiment": "neutral",
            "intent": "complaint",
            "category": "Double charge",
        },
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{double_charge.id}#mention-{mention.id}"
    session.expire_all()
    examples = session.scalars(select(LabeledExample).where(LabeledExample.mention_id == mention.id)).all()
    assert sorted((e.analyzer, e.label, e.actor_id, e.text) for e in examples) == [
        ("category", "Double charge", agent.id, TEXT),
        ("sentiment", "neutral", agent.id, TEXT),  # intent already said complaint: nothing to teach
    ]
    shown = {
        e.analyzer: (e.label, e.model_version)
        for e in session.scalars(select(Enrichment).where(Enrichment.mention_id == mention.id))
    }
    assert shown["category"] == ("Double charge", "correction")
    assert shown["sentiment"] == ("neutral", "correction")
    assert shown["intent"] == ("complaint", "intent-test-1")

    page = client.get(answer.headers["location"]).text
    assert "Corrected: sentiment is neutral, category is Double charge." in page
    message = mention_html(page)
    assert 'Double charge <span class="chip-score">✓ corrected</span>' in message
    assert "analysis said billing" in message
    history = page[page.index('aria-label="Messages and history"') :]
    assert "Category of a message corrected to Double charge (was Billing)" in history
    assert "Sentiment of a message corrected to Neutral (was Negative)" in history
    assert history.count("by <strong>Ada Agent</strong>") == 2

    # A viewer may not teach the models; a label analysis does not know is refused with the reason.
    refused = client.post(
        f"/cases/{double_charge.id}/mentions/{mention.id}/correction",
        data={"csrf_token": csrf_of(page), "sentiment": "furious"},
    )
    assert refused.status_code == 303
    assert (
        "Sentiment label &#39;furious&#39; is not one of negative, neutral, positive."
        in client.get(refused.headers["location"]).text
    )
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    sign_in(client, viewer.email)
    page = client.get(f"/cases/{double_charge.id}").text
    assert 'data-testid="correct-analysis"' not in page
    forbidden = client.post(
        f"/cases/{double_charge.id}/mentions/{mention.id}/correction",
        data={"csrf_token": csrf_of(page), "category": "Spam"},
    )
    assert forbidden.status_code == 403
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(LabeledExample)) == 2


def test_corrections_over_the_api(
    client: TestClient, session: Session, brand: Brand, agent: User, double_charge: Case
) -> None:
    mention = session.scalars(select(Mention).where(Mention.case_id == double_charge.id)).one()
    sign_in(client, agent.email)
    header = {"X-CSRF-Token": csrf_of(client.get(f"/cases/{double_charge.id}").text)}
    path = f"/api/v1/cases/{double_charge.id}/mentions/{mention.id}/corrections"

    answer = client.post(path, json={"intent": "question"}, headers=header)

    assert answer.status_code == 200
    intent = next(e for e in answer.json()["enrichments"] if e["analyzer"] == "intent")
    assert (intent["label"], intent["model_version"]) == ("question", "correction")
    assert client.post(path, json={"sentiment": "furious"}, headers=header).status_code == 422
    # a category is plain words on one line: no escape that repaints a terminal, no line break,
    # no text-direction override that makes one label read as another
    for sneaky, said in (
        ("Late\u001b[2J Flight", "\\u001b"),
        ("Bad\r\nInjected", "\\u000d"),
        ("\u202eLost", "\\u202e"),
    ):
        refused = client.post(path, json={"category": sneaky}, headers=header)
        assert refused.status_code == 422, sneaky
        assert refused.json()["detail"].startswith(f"category: holds {said}"), refused.text
    other = add_case(session, brand=brand, subject="Other", handle="zed", opened_hours_ago=1)
    session.commit()
    assert (
        client.post(
            f"/api/v1/cases/{other.id}/mentions/{mention.id}/corrections",
            json={"intent": "praise"},
            headers=header,
        ).status_code
        == 404
    )
    events = client.get(f"/api/v1/cases/{double_charge.id}/events").json()
    assert [(e["kind"], e["actor_name"], e["data"]["mention_id"]) for e in events] == [
        ("enrichment.corrected", "Ada Agent", mention.id)
    ]
