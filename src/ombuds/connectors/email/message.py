"""One RFC 822 message as a record's fields, named as the mentions API names them. Pure.

``external_id`` is the Message-ID (angle brackets kept, as In-Reply-To quotes it back);
``in_reply_to`` the nearest parent the headers name: In-Reply-To, else the last of References;
``text`` the subject and the customer's own words (HTML made plain, quoted history cut off).
Attachments are handed back as bytes for the fetcher to keep as files; the message a record
stores has a note in each attachment's place (``without_attachments``), never the file itself.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import parseaddr

from ombuds.connectors.email.text import strip_quoted, strip_quoted_html

CHANNEL = "email"
RAW_FORMAT = "email"  # a record's raw bytes are the RFC 822 message
#: The mentions API's limits: an id or handle past 200 characters, a text past 50,000, is refused.
MAX_ID_CHARS = 200
MAX_TEXT_CHARS = 50_000
TRUNCATED = "\n[…]"
#: A Date header further ahead than this is a wrong clock (or spam): the server's arrival time wins.
CLOCK_SKEW = timedelta(days=1)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
#: On an attachment's note in the stored message: the kept file's hash, size, type and place.
KEPT_HEADER = "X-Ombuds-Kept-As"


class UnreadableEmail(ValueError):
    """A message that cannot become a mention; ``field`` names what is missing or wrong."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """The mention's fields (exactly the mentions API's names) and the files that came along."""

    fields: dict[str, object]
    attachments: tuple[Attachment, ...]


def parse_email(raw: bytes, *, received_at: datetime) -> ParsedEmail:
    """The message's fields; ``UnreadableEmail`` says why it cannot be a mention.

    ``received_at`` (the server's arrival time) stands in for a missing, unreadable or future Date.
    """
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    address, name = _sender(message)
    if not address:
        raise UnreadableEmail("the message has no sender address (From)", field="author_handle")
    subject = _header(message, "Subject")
    body = _body_text(message)
    text = "\n\n".join(part for part in (subject, body) if part)
    if not text:
        raise UnreadableEmail("the message has neither a subject nor any text", field="text")
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - len(TRUNCATED)] + TRUNCATED
    references = _message_ids(_header(message, "References"))
    parent = next(iter(_message_ids(_header(message, "In-Reply-To"))), None) or (
        references[-1] if references else None
    )
    attachments = tuple(_attachments(message))
    fields: dict[str, object] = {
        "external_id": _external_id(message, raw),
        "author_handle": address,
        "author_name": name or None,
        "text": text,
        "created_at": _written_at(message, received_at).isoformat(),
        "channel": CHANNEL,
        "is_public": False,
    }
    if parent is not None and len(parent) <= MAX_ID_CHARS:
        fields["in_reply_to"] = parent
    return ParsedEmail(fields=fields, attachments=attachments)


def without_attachments(raw: bytes, kept: Mapping[str, str]) -> bytes:
    """The message as stored: each attachment's body replaced by a note naming the file it was kept in.

    ``kept`` maps an attachment's SHA-256 to where it is. Headers and text parts stay as received
    (header lines are not refolded), so a person reading the stored message sees what came, and a
    25 MB scan never sits in the database. A message without attachments is returned untouched.
    """
    if not kept:
        return raw
    try:
        return _with_notes(raw, kept)
    except Exception:  # a message the library cannot write back is stored as received
        return raw


def _with_notes(raw: bytes, kept: Mapping[str, str]) -> bytes:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    for number, part in enumerate(list(message.iter_attachments()), start=1):
        content = _attachment_content(part)
        digest = hashlib.sha256(content).hexdigest()
        if digest not in kept:
            continue
        content_type = part.get_content_type()
        filename = _filename(part.get_filename(), content_type, number)
        part.set_content(
            f"{filename} ({content_type}, {len(content):,} bytes) is kept as a file: {kept[digest]}\n",
            disposition="attachment",
            filename=filename,
            cte="8bit",  # readable as it is stored; quoted-printable would break the path across lines
        )
        part[KEPT_HEADER] = f"sha256={digest}; size={len(content)}; type={content_type}; path={kept[digest]}"
    linesep = "\r\n" if b"\r\n" in raw[:4096] else "\n"
    return message.as_bytes(policy=policy.default.clone(refold_source="none", linesep=linesep))


def reply_subject(subject: str) -> str:
    """``Re: <subject>``, once: mail programs group a conversation by it, not only by its headers."""
    subject = " ".join(subject.split())
    return subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()


def subject_of(raw: bytes) -> str:
    """The Subject of a stored message (its raw bytes), decoded; empty when it has none."""
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    return _header(message, "Subject")


def references_of(raw: bytes) -> str:
    """The Message-IDs a stored message's References header names, space-separated (oldest first)."""
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    return " ".join(_message_ids(_header(message, "References")))


# --- headers -------------------------------------------------------------------------------------


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser cannot even split
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        header = message.get("From")
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    except (ValueError, IndexError, TypeError):
        addresses = ()
    if addresses and addresses[0].addr_spec and "@" in addresses[0].addr_spec:
        found = addresses[0]
        address, name = found.addr_spec, found.display_name
    else:  # a From the strict parser gave up on: the lenient one still finds most addresses
        name, address = parseaddr(_header(message, "From"))
    address = address.strip().lower()
    if "@" not in address or len(address) > MAX_ID_CHARS:
        return "", ""
    return address, " ".join(name.split())[:MAX_ID_CHARS]


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _external_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID; a message without one (or with an absurd one) is named by its bytes' hash.

    The hash is the same on every fetch, so idempotent ingest still drops the repeats.
    """
    found = _message_ids(_header(message, "Message-ID"))
    if found and len(found[0]) <= MAX_ID_CHARS:
        return found[0]
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def _written_at(message: EmailMessage, received_at: datetime) -> datetime:
    try:
        header = message.get("Date")
        written: datetime | None = getattr(header, "datetime", None)
    except (ValueError, IndexError, TypeError, OverflowError):
        written = None
    if written is None:
        return received_at
    if written.tzinfo is None:  # "-0000": the sender's zone is unknown; RFC 5322 reads it as UTC
        written = written.replace(tzinfo=UTC)
    if written > received_at + CLOCK_SKEW:
        return received_at
    return written.astimezone(UTC)


# --- body and attachments ------------------------------------------------------------------------


def _body_text(message: EmailMessage) -> str:
    """The plain-text part if there is one (the sender's own), else the HTML part made plain."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _decoded(part)
    if part.get_content_subtype() == "html":
        return strip_quoted_html(content)
    return strip_quoted(content)


def _decoded(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken transfer encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _attachments(message: EmailMessage) -> list[Attachment]:
    return [
        Attachment(
            filename=_filename(part.get_filename(), part.get_content_type(), number),
            content_type=part.get_content_type(),
            content=_attachment_content(part),
        )
        for number, part in enumerate(message.iter_attachments(), start=1)
    ]


def _attachment_content(part: MIMEPart) -> bytes:
    if part.get_content_maintype() == "message":  # a forwarded email: kept whole, as .eml
        return part.as_bytes()
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _filename(given: str | None, content_type: str, number: int) -> str:
    """A name safe on any file system: no folders, no odd characters, at most 120 characters."""
    name = _UNSAFE_NAME.sub("_", (given or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._")
    if not name:
        extension = ".eml" if content_type == "message/rfc822" else mimetypes.guess_extension(content_type)
        name = f"attachment-{number}{extension or '.bin'}"
    return name[-120:]  # the end keeps the extension
