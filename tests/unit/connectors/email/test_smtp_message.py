"""A reply by email threads to the message it answers in the customer's mail program."""

from __future__ import annotations

from ombuds.connectors.base import OutgoingReply
from ombuds.connectors.email.smtp import SmtpSink

SINK = SmtpSink(host="127.0.0.1", port=25, from_address="care@skyways.test")


def reply(in_reply_to: str | None, **metadata: str) -> OutgoingReply:
    return OutgoingReply(
        text="We refunded one of the charges.",
        in_reply_to=in_reply_to,
        recipient="maria@example.com",
        is_public=False,
        metadata={"subject": "Re: Double charge", **metadata},
    )


def test_the_reply_names_the_customers_message_in_in_reply_to_and_references() -> None:
    message = SINK.message(
        reply(
            "<c2@mail.example.com>",
            references="<c1@mail.example.com> <r1@skyways.test> <c2@mail.example.com>",
        )
    )
    assert message["In-Reply-To"] == "<c2@mail.example.com>"
    assert message["References"] == "<c1@mail.example.com> <r1@skyways.test> <c2@mail.example.com>"
    assert message["Subject"] == "Re: Double charge"
    assert str(message["Message-ID"]).endswith("@skyways.test>")


def test_an_answer_to_a_post_on_another_channel_carries_no_threading_headers() -> None:
    message = SINK.message(reply("1798234412345"))  # a survey by email to someone who wrote on X
    assert message["In-Reply-To"] is None
    assert message["References"] is None


def test_the_password_stays_out_of_the_sinks_repr() -> None:
    sink = SmtpSink(
        host="h", port=25, from_address="care@skyways.test", username="u", password="pw-K9-secret"
    )
    assert "pw-K9-secret" not in repr(sink)
