"""Email end to end on real servers: a customer's email in a Dovecot mailbox becomes a case, and the
agent's answer reaches the SMTP server in the customer's own thread."""

from __future__ import annotations

import ssl
import uuid
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions as accounts
from ombuds.accounts.models import Brand, User
from ombuds.cases.models import Case
from ombuds.connectors.base import OutgoingReply, SinkRetry
from ombuds.connectors.email import SmtpSink, TlsMode
from ombuds.connectors.email.message import KEPT_HEADER
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import secret_box
from ombuds.mentions.models import Mention
from ombuds.pipeline.runner_inline import run_until_idle
from ombuds.responses.models import ReplySink, SinkKind
from ombuds.responses.sending import deliver_due_replies
from ombuds.sources.actions import add_source
from ombuds.sources.poller import poll_source
from tests.integration.connectors.scenarios.email import customer_email
from tests.support import dovecot
from tests.support.smtp_server import SmtpCatcher

BOX = secret_box("email-test-key-" * 3)
CUSTOMER = "maria.silva@example.com"
RECEIPT = b"%PDF-1.7 receipt LX-4471 " + bytes(range(256)) * 40
HTML = (
    "<div>Hello,</div><div>I was charged <b>twice</b> for booking LX-4471. Please refund one.</div>"
    '<div class="gmail_quote"><div class="gmail_attr">On Mon, 30 Nov 2026 at 10:00, Skyways &lt;'
    'bookings@skyways.test&gt; wrote:</div><blockquote class="gmail_quote">Your booking LX-4471 is confirmed.'
    "</blockquote></div>"
)


def test_an_email_to_the_mailbox_becomes_a_case_and_the_agents_reply_arrives_threaded_to_it(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    brand: Brand,
    agent: User,
    dovecot_server: dovecot.DovecotServer,
    tmp_path: Path,
) -> None:
    folder = f"done-{uuid.uuid4().hex[:10]}"
    dovecot_server.create_folder(folder)
    written = customer_email(
        sender=f"Maria Silva <{CUSTOMER}>",
        message_id=f"<double-charge.{folder}@mail.example.com>",
        subject="Double charge on LX-4471",
        text="",
    )
    written.set_content(HTML, subtype="html")  # an HTML-only message, quoting an older one
    written.add_attachment(RECEIPT, maintype="application", subtype="pdf", filename="receipt.pdf")
    dovecot_server.deliver(folder, written.as_bytes())
    attachments = tmp_path / "attachments"

    with SmtpCatcher(username="care@skyways.test", password="smtp-pass-7Q") as smtp:
        session.add(
            ReplySink(
                brand_id=brand.id,
                name="Mail",
                kind=SinkKind.SMTP,
                channels=["email"],
                host="127.0.0.1",
                port=smtp.port,
                username="care@skyways.test",
                from_address="care@skyways.test",
                secret="smtp-pass-7Q",
            )
        )
        session.commit()
        with session_factory.begin() as writing:
            source_id = add_source(
                writing,
                brand_id=brand.id,
                kind=get_kind("email"),
                name="Care mailbox",
                config={
                    "host": "127.0.0.1",
                    "port": dovecot_server.port,
                    "username": dovecot_server.user,
                    "password": dovecot_server.password,
                    "folder": folder,
                    "tls": "none",
                    "attachments_dir": str(attachments),
                },
                box=BOX,
            ).id

        polled = poll_source(session_factory, source_id=source_id, box=BOX)
        assert (polled.imported, polled.errors) == (1, 0)
        assert run_until_idle(session_factory).failed == 0

        mention = session.scalars(select(Mention).where(Mention.source_id == source_id)).one()
        assert mention.case_id is not None, "the email became a case"
        assert (mention.channel, mention.author_handle, mention.is_public) == ("email", CUSTOMER, False)
        assert (
            mention.text
            == "Double charge on LX-4471\n\nHello,\nI was charged twice for booking LX-4471. Please refund one."
        )
        assert "confirmed" not in mention.text, "the quoted history is cut off"
        kept = list(attachments.rglob("receipt.pdf"))
        assert [path.read_bytes() for path in kept] == [RECEIPT], (
            "the attachment is a file in the data folder"
        )
        assert RECEIPT[:40] not in mention.raw, "and not a blob in the database"
        stored = message_from_bytes(mention.raw, policy=policy.default)
        assert [str(part[KEPT_HEADER]).split("path=")[1] for part in stored.walk() if part[KEPT_HEADER]] == [
            str(kept[0])
        ]
        case = session.get(Case, mention.case_id)
        assert case is not None

        _, token = accounts.create_api_token(session, brand=brand, name="desk", user=agent)
        session.commit()
        answer = "Sorry about the double charge, Maria; we refunded one of them."
        created = client.post(
            f"/api/v1/cases/{case.id}/replies",
            json={"text": answer, "visibility": "private"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
        assert deliver_due_replies(session_factory).sent == [created.json()["id"]]

        [reply] = smtp.received()
        assert reply["To"] == CUSTOMER
        assert reply["In-Reply-To"] == written["Message-ID"], "threaded to the customer's message"
        assert written["Message-ID"] in str(reply["References"])
        assert reply["Subject"] == "Re: Double charge on LX-4471"
        assert str(reply.get_content()).strip() == answer
        outbound = session.scalars(
            select(Mention).where(Mention.case_id == case.id, Mention.external_id == reply["Message-ID"])
        ).one()
        assert outbound.in_reply_to == written["Message-ID"], "the desk keeps our reply's Message-ID"


def test_a_reply_goes_out_over_starttls_to_a_trusted_server_and_never_to_an_unchecked_one(
    tmp_path: Path,
) -> None:
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    dovecot.self_signed(certificate, key)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(certificate, key)
    reply = OutgoingReply(
        text="We refunded one charge.", in_reply_to="<c1@mail.example.com>", recipient=CUSTOMER
    )
    with SmtpCatcher(username="care@skyways.test", password="smtp-pass-7Q", tls_context=server_side) as smtp:
        sink = SmtpSink(
            host="127.0.0.1",
            port=smtp.port,
            from_address="care@skyways.test",
            username="care@skyways.test",
            password="smtp-pass-7Q",
            tls=TlsMode.STARTTLS,
            ssl_context=ssl.create_default_context(cafile=str(certificate)),
        )
        sent = sink.send(reply)
        assert [message["Message-ID"] for message in smtp.received()] == [sent.external_id]

        with pytest.raises(SinkRetry, match="CERTIFICATE_VERIFY_FAILED"):  # the default checks certificates
            replace(sink, ssl_context=None).send(reply)
        assert len(smtp.received()) == 1
