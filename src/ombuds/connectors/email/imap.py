"""Reads a mailbox folder by IMAP UID: each new message becomes one record with its raw bytes.

The cursor is ``UIDVALIDITY:last UID``. UIDs only grow within one UIDVALIDITY; when the server
changes it (the folder was rebuilt, the account moved), the fetcher starts the folder over and
idempotent ingest drops the messages it already has (their Message-IDs are the same). The folder
is opened read-only and bodies are read with BODY.PEEK, so nothing is marked read or moved: the
mailbox stays the customer-facing record a person can still open in a mail program. A record's raw
bytes are the message as received, but for attachments: those are kept as files under
``attachments_dir`` and the stored message names each file in its place.

Every network call is bounded by the timeout; a failure is a ``FetchFailed`` that names the server
and never the password.
"""

from __future__ import annotations

import imaplib
import logging
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from ombuds import outbound
from ombuds.clock import utcnow
from ombuds.connectors.base import Batch, Cursor, FetchFailed, RateLimited, RawRecord, RecordProblem
from ombuds.connectors.email.attachments import keep_attachments
from ombuds.connectors.email.config import EmailConfig, TlsMode
from ombuds.connectors.email.message import RAW_FORMAT, UnreadableEmail, parse_email, without_attachments

logger = logging.getLogger(__name__)

#: Bodies fetched in one round trip stop here (a batch of large messages is cut short, not refused).
BATCH_BYTES = 64 * 1024 * 1024
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_INTERNALDATE = re.compile(rb'\bINTERNALDATE "([^"]+)"')
# RFC 5530's [UNAVAILABLE], and [THROTTLED] / "Request is throttled" as Gmail and Exchange say it.
_THROTTLED = re.compile(r"\[(?:THROTTLED|UNAVAILABLE)\]|\bthrottled\b", re.IGNORECASE)
_WAIT = re.compile(r"(\d+(?:\.\d+)?)\s*(milliseconds|ms|seconds?|secs?|s|minutes?|mins?)\b", re.IGNORECASE)
#: How long to leave a server alone that asked for a pause without saying how long.
DEFAULT_THROTTLE_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class _Listed:
    uid: int
    size: int
    received_at: datetime


class ImapFetcher:
    """One IMAP folder as a fetcher; connects for each fetch and signs out after it."""

    kind: ClassVar[str] = "email"

    def __init__(
        self,
        config: EmailConfig,
        *,
        timeout: float,
        attachments_dir: Path,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.config = config
        self.timeout = timeout
        self.attachments_dir = attachments_dir
        self.ssl_context = ssl_context or ssl.create_default_context()

    @property
    def where(self) -> str:
        return f"IMAP {self.config.host}:{self.config.imap_port}"

    def fetch(self, cursor: Cursor | None) -> Batch:
        """The next messages after ``cursor`` (every message in the folder when None)."""
        with self._session() as imap:
            validity = self._select(imap)
            last = _last_uid(cursor, validity)
            waiting = self._uids_after(imap, last)
            listed = self._listed(imap, waiting[: self.config.batch_size])
            chosen = _within_budget(listed, max_message_bytes=self.config.max_message_bytes)
            records = self._records(imap, chosen)
        end = chosen[-1].uid if chosen else last
        return Batch(
            records=records,
            cursor=Cursor(f"{validity}:{end}"),
            is_last=not any(uid > end for uid in waiting),
        )

    # --- the conversation with the server -----------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        try:
            imap = self._connect()
        except outbound.AddressRefused as exc:
            raise FetchFailed(f"{self.where} was not connected to: {exc}") from None
        except (imaplib.IMAP4.error, OSError) as exc:
            raise self._failure("could not connect", exc) from None
        try:
            try:
                imap.login(self.config.username, self.config.password)
            except imaplib.IMAP4.error as exc:
                raise self._failure(f"refused the sign-in of {self.config.username!r}", exc) from None
            yield imap
        except (imaplib.IMAP4.error, OSError) as exc:
            raise self._failure("failed", exc) from None
        finally:
            # a connection already gone has no one to sign out of
            with suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    def _connect(self) -> imaplib.IMAP4:
        host, port = self.config.host, self.config.imap_port
        # an admin types the host in: the connection reaches only addresses the outbound policy allows
        if self.config.tls is TlsMode.SSL:
            return _GuardedImapSsl(host, port, ssl_context=self.ssl_context, timeout=self.timeout)
        imap = _GuardedImap(host, port, timeout=self.timeout)
        if self.config.tls is TlsMode.STARTTLS:
            try:
                imap.starttls(ssl_context=self.ssl_context)
            except BaseException:
                with suppress(OSError):  # a failed handshake may have taken the socket with it
                    imap.shutdown()
                raise
        return imap

    def _select(self, imap: imaplib.IMAP4) -> int:
        status, answer = imap.select(_quoted(self.config.folder), readonly=True)
        if status != "OK":
            raise self._refusal(f"cannot open folder {self.config.folder!r}", answer)
        _, found = imap.response("UIDVALIDITY")
        try:
            return int(found[0])
        except (TypeError, ValueError, IndexError):
            raise FetchFailed(f"{self.where}: folder {self.config.folder!r} has no UIDVALIDITY") from None

    def _uids_after(self, imap: imaplib.IMAP4, last: int) -> list[int]:
        status, answer = imap.uid("SEARCH", "UID", f"{last + 1}:*")
        if status != "OK":
            raise self._refusal("search for new messages failed", answer)
        # "N:*" always matches the newest message, even when its UID is below N.
        found = {int(uid) for line in answer if isinstance(line, bytes) for uid in line.split()}
        return sorted(uid for uid in found if uid > last)

    def _listed(self, imap: imaplib.IMAP4, uids: Sequence[int]) -> list[_Listed]:
        if not uids:
            return []
        status, answer = imap.uid("FETCH", _uid_set(uids), "(UID RFC822.SIZE INTERNALDATE)")
        if status != "OK":
            raise self._refusal("listing new messages failed", answer)
        listed = []
        for line in answer:
            head = line[0] if isinstance(line, tuple) else line
            uid, size = _UID.search(head or b""), _SIZE.search(head or b"")
            if uid and size:
                date = _INTERNALDATE.search(head or b"")
                listed.append(_Listed(int(uid[1]), int(size[1]), _internal_date(date[1] if date else None)))
        return sorted(listed, key=lambda item: item.uid)  # a message deleted meanwhile is simply absent

    def _records(self, imap: imaplib.IMAP4, chosen: Sequence[_Listed]) -> list[RawRecord]:
        limit = self.config.max_message_bytes
        small = [item.uid for item in chosen if item.size <= limit]
        large = [item.uid for item in chosen if item.size > limit]
        bodies = self._bodies(imap, small, "BODY.PEEK[]")
        headers = self._bodies(imap, large, "BODY.PEEK[HEADER]")
        records = []
        for item in chosen:
            if item.uid in headers:
                problem = RecordProblem(
                    f"the message is {item.size:,} bytes, over this source's limit of {limit:,}; "
                    "only its headers were read"
                )
                records.append(RawRecord(item.uid, headers[item.uid], RAW_FORMAT, None, problem))
            elif item.uid in bodies:
                records.append(self._record(item, bodies[item.uid]))
        return records

    def _bodies(self, imap: imaplib.IMAP4, uids: Sequence[int], part: str) -> dict[int, bytes]:
        if not uids:
            return {}
        status, answer = imap.uid("FETCH", _uid_set(uids), f"(UID {part})")
        if status != "OK":
            raise self._refusal("reading messages failed", answer)
        found: dict[int, bytes] = {}
        for number, line in enumerate(answer):
            if not isinstance(line, tuple):
                continue
            uid = _UID.search(line[0])
            if uid is None:  # some servers put UID after the literal
                after = answer[number + 1] if number + 1 < len(answer) else b""
                uid = _UID.search(after if isinstance(after, bytes) else b"")
            if uid is not None:
                found[int(uid[1])] = line[1]
        return found

    # --- one message ----------------------------------------------------------------------------

    def _record(self, item: _Listed, raw: bytes) -> RawRecord:
        try:
            parsed = parse_email(raw, received_at=item.received_at)
        except UnreadableEmail as exc:
            return RawRecord(item.uid, raw, RAW_FORMAT, None, RecordProblem(exc.reason, field=exc.field))
        except Exception as exc:  # a message the parser chokes on is a dead letter, not an outage
            reason = f"the message could not be read: {type(exc).__name__}: {exc}"[:500]
            return RawRecord(item.uid, raw, RAW_FORMAT, None, RecordProblem(reason))
        try:
            kept = keep_attachments(parsed.attachments, self.attachments_dir)
        except OSError as exc:
            raise FetchFailed(
                f"cannot keep the attachments of message UID {item.uid} in {self.attachments_dir}: {exc}"
            ) from None
        files = {
            attachment.sha256: str(path) for attachment, path in zip(parsed.attachments, kept, strict=True)
        }
        return RawRecord(item.uid, without_attachments(raw, files), RAW_FORMAT, parsed.fields)

    def _failure(self, what: str, exc: BaseException) -> FetchFailed:
        if isinstance(exc, TimeoutError):
            return self._failed(what, f"no answer within {self.timeout:g} s")
        return self._failed(what, f"{type(exc).__name__}: {exc}")

    def _refusal(self, what: str, answer: Sequence[object]) -> FetchFailed:
        return self._failed(what, _said(answer))

    def _failed(self, what: str, said: str) -> FetchFailed:
        # A server that echoes what it was sent must not put the password in a log or a page.
        password = self.config.password
        if password and len(password) < 4 and password in said:
            # blanking so short a password would blank ordinary letters too: withhold the answer
            said = "(its answer is not shown: it might repeat the password)"
        reason = f"{self.where} {what}: {said}"
        if len(password) >= 4:
            reason = reason.replace(password, "***")
        reason = reason[:1000]
        wait = throttle_wait(said)
        return FetchFailed(reason) if wait is None else RateLimited(reason, retry_after=wait)


def throttle_wait(said: str) -> float | None:
    """Seconds a server's answer asks us to wait ("[THROTTLED] ... 120 seconds"); None if it is no throttle."""
    if not _THROTTLED.search(said):
        return None
    found = _WAIT.search(said)
    if found is None:
        return DEFAULT_THROTTLE_SECONDS
    amount, unit = float(found[1]), found[2].lower()
    if unit in {"milliseconds", "ms"}:
        return amount / 1000
    return amount * 60 if unit.startswith("min") else amount


def _last_uid(cursor: Cursor | None, validity: int) -> int:
    """The last UID read under this UIDVALIDITY; 0 (start over) after a change or for no cursor."""
    if cursor is None:
        return 0
    stored, _, last = cursor.value.partition(":")
    if not (stored.isascii() and stored.isdigit() and last.isascii() and last.isdigit()):
        logger.warning(
            "email cursor %r is not UIDVALIDITY:UID; reading the folder from the start", cursor.value
        )
        return 0
    if int(stored) != validity:
        logger.info("UIDVALIDITY changed from %s to %s; reading the folder from the start", stored, validity)
        return 0
    return int(last)


def _within_budget(listed: Sequence[_Listed], *, max_message_bytes: int) -> list[_Listed]:
    """The first messages whose bodies fit in one round trip (at least one; large ones cost nothing)."""
    chosen: list[_Listed] = []
    spent = 0
    for item in listed:
        cost = item.size if item.size <= max_message_bytes else 0
        if chosen and spent + cost > BATCH_BYTES:
            break
        chosen.append(item)
        spent += cost
    return chosen


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(answer: Sequence[object]) -> str:
    words = [part.decode(errors="replace") if isinstance(part, bytes) else str(part) for part in answer]
    return " ".join(words)[:300] or "no reason given"


def _internal_date(value: bytes | None) -> datetime:
    """The server's arrival time (``01-Dec-2026 10:00:00 +0000``); now when it sent none."""
    if value is None:
        return utcnow()
    try:
        return datetime.strptime(value.decode().strip(), "%d-%b-%Y %H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return utcnow()


class _GuardedImap(imaplib.IMAP4):
    """IMAP whose socket goes only to an address the outbound policy allows (``outbound.open_socket``)."""

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return outbound.open_socket(self.host, self.port, timeout)


class _GuardedImapSsl(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = outbound.open_socket(self.host, self.port, timeout)
        context: ssl.SSLContext = self.ssl_context
        return context.wrap_socket(sock, server_hostname=self.host)
