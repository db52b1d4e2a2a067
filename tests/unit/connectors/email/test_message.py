"""An email as the desk reads it: who wrote, what they wrote this time, what it answers, what came along."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from ombuds.connectors.email.imap import DEFAULT_THROTTLE_SECONDS, throttle_wait
from ombuds.connectors.email.message import (
    KEPT_HEADER,
    MAX_TEXT_CHARS,
    UnreadableEmail,
    parse_email,
    reply_subject,
    subject_of,
    without_attachments,
)
from ombuds.connectors.email.text import html_to_text, strip_quoted, strip_quoted_html
from ombuds.mentions.schemas import MentionCreate

ARRIVED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
MENTION_FIELDS = set(MentionCreate.model_fields)


def email(
    body: str = "I was charged twice for LX-4471.",
    *,
    subject: str = "Double charge",
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = "Maria Silva <Maria.Silva@Example.com>"
    message["To"] = "care@skyways.test"
    message["Subject"] = subject
    message["Date"] = "Tue, 01 Dec 2026 09:30:00 +0100"
    message["Message-ID"] = "<c1@mail.example.com>"
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    if html is None:
        message.set_content(body)
    elif body:
        message.set_content(body)
        message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    return message.as_bytes()


# --- quoted history and HTML ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "own"),
    [
        (
            "Still no refund.\n\nOn Mon, 30 Nov 2026 at 10:00, Skyways Care <care@skyways.test> wrote:\n"
            "> Thanks for writing.\n> We are on it.\n",
            "Still no refund.",
        ),
        (
            "Still no refund.\n\n-----Original Message-----\nFrom: Skyways Care <care@skyways.test>\n"
            "Sent: Monday, November 30, 2026 10:00 AM\nTo: Maria\nSubject: RE: Double charge\n\nWe are on it.",
            "Still no refund.",
        ),
        ("Still no refund.\n\n> We are on it.\n> Skyways", "Still no refund."),
        ("> Did you get a booking code?\nYes: LX-4471\n> And the amount?\n212 EUR", "Yes: LX-4471\n212 EUR"),
        ("Bonjour\n\nLe lun. 30 nov. 2026 à 10:00, Care <c@skyways.test> a écrit :\n> Merci", "Bonjour"),
        ("Just my words,\nover two lines.", "Just my words,\nover two lines."),
    ],
    ids=["on-wrote", "outlook", "trailing-quote", "interleaved", "french", "no-quote"],
)
def test_the_customers_own_words_are_kept_and_the_history_they_quoted_is_cut(written: str, own: str) -> None:
    assert strip_quoted(written) == own


def test_a_forward_with_no_word_added_keeps_what_was_forwarded() -> None:
    forwarded = (
        "---------- Forwarded message ---------\nFrom: Bookings <no-reply@skyways.test>\n"
        "Date: Mon, 30 Nov 2026\nSubject: Your booking\nTo: maria@example.com\n\nBooking LX-4471 charged twice"
    )
    assert strip_quoted(forwarded) == "Booking LX-4471 charged twice"


def test_html_becomes_clean_text_without_markup_scripts_or_styles() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>track()</script></head><body>"
        "<p>Hello,</p><p>I was charged&nbsp;<b>twice</b>:</p><ul><li>212 EUR</li><li>212 EUR</li></ul>"
        "</body></html>"
    )
    text = html_to_text(html)
    assert text == "Hello,\n\nI was charged twice:\n\n  * 212 EUR\n  * 212 EUR"


def test_gmails_quoted_html_is_cut_before_it_is_made_plain() -> None:
    html = (
        '<div dir="ltr">Still <b>waiting</b> for my refund.</div><br><div class="gmail_quote">'
        '<div class="gmail_attr">On Mon, 30 Nov 2026 at 10:00, Skyways Care &lt;care@skyways.test&gt; wrote:</div>'
        '<blockquote class="gmail_quote">We are on it.</blockquote></div>'
    )
    assert strip_quoted_html(html) == "Still waiting for my refund."


# --- fields --------------------------------------------------------------------------------------


def test_a_message_becomes_the_mention_fields_the_mentions_api_names() -> None:
    parsed = parse_email(email(), received_at=ARRIVED)
    assert parsed.fields == {
        "external_id": "<c1@mail.example.com>",
        "author_handle": "maria.silva@example.com",
        "author_name": "Maria Silva",
        "text": "Double charge\n\nI was charged twice for LX-4471.",
        "created_at": "2026-12-01T08:30:00+00:00",
        "channel": "email",
        "is_public": False,
    }
    assert parsed.attachments == ()


def test_a_reply_names_its_nearest_parent_in_reply_to_before_references() -> None:
    headers = {
        "Subject": "Re: Double charge",
        "In-Reply-To": "<r1@skyways.test>",
        "References": "<c1@mail.example.com> <r1@skyways.test>",
        "Message-ID": "<c2@mail.example.com>",
    }
    parsed = parse_email(email("Still waiting.", headers=headers), received_at=ARRIVED)
    assert parsed.fields["in_reply_to"] == "<r1@skyways.test>"

    only_references = {"References": "<c1@mail.example.com>  <r1@skyways.test>"}
    parsed = parse_email(email(headers=only_references), received_at=ARRIVED)
    assert parsed.fields["in_reply_to"] == "<r1@skyways.test>", "the last of References is the nearest"


def test_an_html_only_message_is_read_as_plain_text() -> None:
    raw = email("", html="<p>I was charged <b>twice</b>.</p><blockquote type='cite'>old</blockquote>")
    assert parse_email(raw, received_at=ARRIVED).fields["text"] == "Double charge\n\nI was charged twice."


def test_the_plain_part_wins_over_the_html_part_of_the_same_message() -> None:
    raw = email("Plain words.", html="<p>Styled words.</p>")
    assert parse_email(raw, received_at=ARRIVED).fields["text"] == "Double charge\n\nPlain words."


def test_attachments_come_back_as_files_with_safe_names_never_in_the_fields() -> None:
    message = EmailMessage()
    message["From"] = "maria@example.com"
    message["Subject"] = "Receipts"
    message["Message-ID"] = "<a1@example.com>"
    message.set_content("Both receipts attached.")
    message.add_attachment(
        b"%PDF-1.7 first", maintype="application", subtype="pdf", filename="../../receipt 1.pdf"
    )
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png")
    parsed = parse_email(message.as_bytes(), received_at=ARRIVED)
    assert [(a.filename, a.content_type, a.content) for a in parsed.attachments] == [
        ("receipt 1.pdf", "application/pdf", b"%PDF-1.7 first"),
        ("attachment-2.png", "image/png", b"\x89PNG"),
    ]
    assert parsed.fields["text"] == "Receipts\n\nBoth receipts attached."
    assert set(parsed.fields) <= MENTION_FIELDS, "only what the mentions API accepts"
    raw = message.as_bytes()
    stored = without_attachments(raw, {a.sha256: f"/data/{a.filename}" for a in parsed.attachments})
    assert b"%PDF-1.7 first" not in stored, "the file is not in the stored message"
    assert b"receipt 1.pdf (application/pdf, 14 bytes) is kept as a file: /data/receipt 1.pdf" in stored
    notes = [
        " ".join(str(part[KEPT_HEADER]).split())
        for part in message_from_bytes(stored, policy=policy.default).walk()
        if part[KEPT_HEADER]
    ]
    assert notes[0] == (
        f"sha256={parsed.attachments[0].sha256}; size=14; type=application/pdf; path=/data/receipt 1.pdf"
    )
    reread = parse_email(stored, received_at=ARRIVED).fields
    assert reread == parsed.fields, "the stored message still reads as the same mention"
    assert without_attachments(raw, {}) == raw


def test_a_message_without_a_message_id_gets_the_same_id_on_every_read() -> None:
    raw = email().replace(b"Message-ID: <c1@mail.example.com>\n", b"")
    first = parse_email(raw, received_at=ARRIVED).fields["external_id"]
    assert first == parse_email(raw, received_at=ARRIVED).fields["external_id"]
    assert str(first).endswith("@no-message-id.invalid>")


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (None, ARRIVED),
        ("not a date", ARRIVED),
        ("Tue, 01 Dec 2099 09:30:00 +0000", ARRIVED),  # a clock far ahead (or spam) does not float to the top
        ("Tue, 01 Dec 2026 09:30:00 -0000", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
    ],
    ids=["missing", "unreadable", "future", "zone-unknown"],
)
def test_a_missing_or_unbelievable_date_falls_back_to_when_the_server_received_it(
    date: str | None, expected: datetime
) -> None:
    raw = email()
    raw = raw.replace(
        b"Date: Tue, 01 Dec 2026 09:30:00 +0100\n", b"" if date is None else f"Date: {date}\n".encode()
    )
    assert parse_email(raw, received_at=ARRIVED).fields["created_at"] == expected.isoformat()


def test_a_message_without_a_sender_or_without_words_cannot_be_a_mention() -> None:
    with pytest.raises(UnreadableEmail, match="no sender address") as no_sender:
        parse_email(b"Subject: hello\r\n\r\nhi\r\n", received_at=ARRIVED)
    assert no_sender.value.field == "author_handle"
    with pytest.raises(UnreadableEmail, match="neither a subject nor any text") as empty:
        parse_email(b"From: maria@example.com\r\n\r\n\r\n", received_at=ARRIVED)
    assert empty.value.field == "text"


def test_a_text_past_the_mentions_limit_is_cut_to_fit() -> None:
    text = parse_email(email("word " * 20_000), received_at=ARRIVED).fields["text"]
    assert isinstance(text, str)
    assert len(text) == MAX_TEXT_CHARS
    assert text.endswith("[…]")


def test_encoded_headers_and_a_latin1_body_are_decoded() -> None:
    raw = (
        b"From: =?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose@example.com>\r\n"
        b"Subject: =?utf-8?q?Reembolso_pendiente_=E2=80=93_LX-4471?=\r\n"
        b"Message-ID: <l1@example.com>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        b"Ma\xf1ana sin respuesta.\r\n"
    )
    parsed = parse_email(raw, received_at=ARRIVED)
    assert parsed.fields["author_name"] == "José Pérez"
    assert parsed.fields["text"] == "Reembolso pendiente – LX-4471\n\nMañana sin respuesta."
    assert subject_of(raw) == "Reembolso pendiente – LX-4471"


def test_a_reply_subject_says_re_once() -> None:
    assert reply_subject("Double charge") == "Re: Double charge"
    assert reply_subject("RE:  Double   charge") == "RE: Double charge"


@pytest.mark.parametrize(
    ("said", "wait"),
    [
        ("[THROTTLED] Too many logins; try again in 120 seconds", 120.0),
        ("Request is throttled. Suggested Backoff Time: 72 milliseconds", 0.072),
        ("[UNAVAILABLE] Service busy, retry in 2 minutes", 120.0),
        ("[THROTTLED] Account exceeded command or bandwidth limits", DEFAULT_THROTTLE_SECONDS),
        ("[AUTHENTICATIONFAILED] Authentication failed. Wait 5 seconds", None),
    ],
    ids=["gmail-like", "exchange", "unavailable", "no-time", "not-a-throttle"],
)
def test_a_server_that_asks_for_a_pause_is_left_alone_as_long_as_it_asked(
    said: str, wait: float | None
) -> None:
    assert throttle_wait(said) == wait
