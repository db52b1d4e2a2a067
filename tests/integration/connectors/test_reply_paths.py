"""Which road a reply takes: back through the source its customer wrote from when that source can
answer, else through the brand's reply sink, as before.

Each test polls a real source on its loopback server (the contract's scenarios), lets the pipeline
make the case, has an agent answer it through the API and runs the outbox as the runner does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, User
from ombuds.clock import utcnow
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import secret_box
from ombuds.mentions.models import Direction, Mention
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.responses.models import Reply, ReplySink, ReplyStatus, SinkKind
from ombuds.responses.sending import deliver_due_replies
from ombuds.responses.survey_links import send_survey_links
from ombuds.sources.actions import add_source
from ombuds.sources.poller import poll_source
from tests.integration.connectors.scenarios import Scenario
from tests.integration.connectors.scenarios.email import EmailScenario
from tests.integration.connectors.scenarios.mastodon import MastodonScenario
from tests.integration.connectors.scenarios.rss import RssScenario
from tests.integration.connectors.scenarios.x import XScenario
from tests.support.recorded_api import Answer, RecordedApi
from tests.support.smtp_server import SmtpCatcher

BOX = secret_box("reply-paths-test-key-" * 3)


@pytest.fixture
def brand_webhook() -> Iterator[RecordedApi]:
    """The brand's own reply webhook on loopback: what it was sent, answered with an id."""
    api = RecordedApi(lambda request: Answer(200, {"id": f"hook-{len(api.requests)}"}))
    with api.running():
        yield api


def _brand_sinks(session: Session, brand: Brand, *, smtp: SmtpCatcher, webhook: RecordedApi) -> None:
    """The brand's reply sinks: its own SMTP server for email, its webhook for every other channel."""
    session.add_all(
        [
            ReplySink(
                brand_id=brand.id,
                name="Brand mail",
                kind=SinkKind.SMTP,
                channels=["email"],
                host="127.0.0.1",
                port=smtp.port,
                username=smtp.username,
                from_address="brand@skyways.test",
                secret=smtp.password,
            ),
            ReplySink(
                brand_id=brand.id, name="Brand hook", kind=SinkKind.WEBHOOK, channels=["*"], url=webhook.url
            ),
        ]
    )
    session.commit()


def _customer_writes(
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    scenario: Scenario,
    config: dict[str, Any],
) -> Mention:
    """One message on the channel, polled and made a case by the pipeline."""
    external_id = scenario.add_record(1)
    with session_factory.begin() as writing:
        source = add_source(
            writing, brand_id=brand.id, kind=get_kind(scenario.kind), name="Channel", config=config, box=BOX
        )
    assert poll_source(session_factory, source_id=source.id, box=BOX).imported == 1
    assert run_until_idle(session_factory).failed == 0
    mention = session.scalars(select(Mention).where(Mention.external_id == external_id)).one()
    assert mention.case_id is not None
    return mention


def _customer_beside_brand_sinks(
    stack: ExitStack,
    scenario: Scenario,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    webhook: RecordedApi,
) -> tuple[SmtpCatcher, Mention]:
    """The scenario's channel with a customer's message made a case, and the brand's own reply
    sinks (SMTP and webhook) beside it, so a test sees which road a reply takes."""
    config = stack.enter_context(scenario.start())
    brand_smtp = stack.enter_context(SmtpCatcher(username="brand@skyways.test", password="brand-pass-9"))
    _brand_sinks(session, brand, smtp=brand_smtp, webhook=webhook)
    return brand_smtp, _customer_writes(session, session_factory, brand, scenario, config)


def _token(session: Session, brand: Brand, agent: User) -> dict[str, str]:
    _, token = accounts.create_api_token(session, brand=brand, name="desk", user=agent)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _agent_answers(
    client: TestClient, session: Session, brand: Brand, agent: User, case_id: int, **body: str
) -> int:
    created = client.post(
        f"/api/v1/cases/{case_id}/replies", json=body, headers=_token(session, brand, agent)
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "queued", created.text
    reply_id: int = created.json()["id"]
    return reply_id


def _sent_as(session: Session, reply_id: int) -> Mention:
    """The desk's record of the sent reply: the outbound message with the channel's id for it."""
    session.expire_all()
    reply = session.get(Reply, reply_id)
    assert reply is not None
    assert reply.status is ReplyStatus.SENT, reply.last_error
    return session.scalars(
        select(Mention).where(Mention.case_id == reply.case_id, Mention.direction == Direction.OUTBOUND)
    ).one()


def test_an_answered_email_leaves_by_the_sources_own_smtp_server_threaded_not_by_the_brands(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    brand_webhook: RecordedApi,
) -> None:
    scenario = EmailScenario()
    with ExitStack() as stack:
        brand_smtp, customer = _customer_beside_brand_sinks(
            stack, scenario, session, session_factory, brand, brand_webhook
        )
        assert customer.case_id is not None
        reply_id = _agent_answers(
            client, session, brand, agent, customer.case_id, text="We found your bag.", visibility="private"
        )

        # the app's key changed since the source was added: the reply waits, saying what to fix
        waiting = deliver_due_replies(session_factory, box=secret_box("another-key-" * 4))
        assert waiting.retrying == [reply_id]
        session.expire_all()
        error = session.get(Reply, reply_id).last_error  # type: ignore[union-attr]
        assert error is not None
        assert "sealed with another secret key; set it again" in error
        assert (scenario.smtp.received(), brand_smtp.received()) == ([], [])

        later = utcnow() + timedelta(hours=2)
        assert deliver_due_replies(session_factory, box=BOX, now=later).sent == [reply_id]
        [sent] = scenario.smtp.received()
        assert brand_smtp.received() == [], "the brand's own SMTP server is not used"
        assert sent["From"] == "care@skyways.test", "from the mailbox the customer wrote to"
        assert sent["To"] == scenario.reply_to(customer.external_id)
        assert sent["In-Reply-To"] == customer.external_id, "threaded to the customer's email"
        assert sent["Subject"] == "Re: Lost bag on flight 1"
        assert str(sent.get_content()).strip() == "We found your bag."
        assert _sent_as(session, reply_id).external_id == sent["Message-ID"]


def test_an_answered_mastodon_mention_is_posted_in_reply_to_it_by_the_sources_account(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    brand_webhook: RecordedApi,
) -> None:
    scenario = MastodonScenario()
    with ExitStack() as stack:
        _brand_smtp, customer = _customer_beside_brand_sinks(
            stack, scenario, session, session_factory, brand, brand_webhook
        )
        assert customer.case_id is not None
        reply_id = _agent_answers(
            client, session, brand, agent, customer.case_id, text="We found your bag.", visibility="public"
        )

        assert deliver_due_replies(session_factory, box=BOX).sent == [reply_id]
        [posted] = scenario.instance.posted
        assert posted["in_reply_to_id"] == customer.external_id
        assert posted["status"] == "@lena@social.example We found your bag."
        assert posted["visibility"] == "public"
        assert brand_webhook.requests == [], "the brand's webhook is not used"
        stored = _sent_as(session, reply_id)
        assert stored.external_id == "113560000000009999", "the status id Mastodon gave it"
        assert stored.in_reply_to == customer.external_id


def test_a_reply_to_a_source_that_cannot_answer_goes_by_the_brands_reply_sink(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    brand_webhook: RecordedApi,
) -> None:
    scenario = RssScenario()
    with ExitStack() as stack:
        _brand_smtp, customer = _customer_beside_brand_sinks(
            stack, scenario, session, session_factory, brand, brand_webhook
        )
        assert customer.case_id is not None
        reply_id = _agent_answers(
            client, session, brand, agent, customer.case_id, text="Sorry about your bag.", visibility="public"
        )

        assert deliver_due_replies(session_factory, box=BOX).sent == [reply_id]
        [hooked] = brand_webhook.requests
        assert (hooked.json()["text"], hooked.json()["in_reply_to"]) == ("Sorry about your bag.", "review-1")
        assert _sent_as(session, reply_id).external_id == "hook-1"


def test_a_private_answer_to_a_post_on_x_goes_by_the_brands_webhook_as_x_answers_in_public_only(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    brand_webhook: RecordedApi,
) -> None:
    scenario = XScenario()
    with ExitStack() as stack:
        _brand_smtp, customer = _customer_beside_brand_sinks(
            stack, scenario, session, session_factory, brand, brand_webhook
        )
        assert customer.case_id is not None
        reply_id = _agent_answers(
            client,
            session,
            brand,
            agent,
            customer.case_id,
            text="Please DM us your booking.",
            visibility="private",
        )

        assert deliver_due_replies(session_factory, box=BOX).sent == [reply_id]
        assert scenario.sent_replies() == [], "nothing posted in public on X"
        [hooked] = brand_webhook.requests
        assert (hooked.json()["text"], hooked.json()["is_public"]) == ("Please DM us your booking.", False)


def test_a_survey_link_goes_by_the_mailbox_the_customer_wrote_to_when_the_brand_has_no_reply_sink(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
) -> None:
    scenario = EmailScenario()
    with scenario.start() as config:
        customer = _customer_writes(session, session_factory, brand, scenario, config)
        resolved = client.post(
            f"/api/v1/cases/{customer.case_id}/status",
            json={"status": "resolved"},
            headers=_token(session, brand, agent),
        )
        assert resolved.status_code == 200, resolved.text

        assert len(send_survey_links(session_factory, public_url="https://desk.test", box=BOX).queued) == 1
        assert len(deliver_due_replies(session_factory, box=BOX).sent) == 1
        [survey] = scenario.smtp.received()
        assert survey["To"] == scenario.reply_to(customer.external_id)
        assert str(survey["Subject"]).startswith("How did we do? Lost bag on flight 1")
        assert "https://desk.test/" in str(survey.get_content())
        assert survey["In-Reply-To"] == customer.external_id
