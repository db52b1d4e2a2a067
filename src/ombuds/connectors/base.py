"""What every connector speaks: fetchers yield raw records and a cursor, sinks send replies.

A connector's inbound side is a ``Fetcher``; the word *source* names the configured connector
instance a brand keeps in the database (``mentions.models.Source``), never this protocol.

Connectors never touch the database. A fetcher hands back a ``Batch``: the records exactly as
received plus the cursor to resume from; whoever polls stores the records and the new cursor in one
transaction, so a crash between fetch and store refetches from the stored cursor and idempotent
ingest drops the repeats. A record's ``fields`` use the mentions API's names (``external_id``,
``author_handle``, ``text``, ``created_at``, ``channel``, ``url``, ``followers``, ``in_reply_to``,
``is_public``, ``author_name``), so one mapping validates every kind.

A kind of connector is a ``ConnectorKind`` registered under the ``ombuds.connectors`` entry-point
group: a third party ships one as its own package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a source stopped; opaque to everyone but the source that wrote it."""

    value: str


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """Why a record could not even be read (bad encoding, broken quoting, invalid JSON)."""

    reason: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as received.

    ``raw`` is the payload byte for byte (for a file: the record's own bytes without its final
    line break); ``fields`` are its values by column or key, or ``None`` when ``problem`` says
    why the record could not be read. ``position`` tells a person where to look: the line the
    record starts on in a file, the sequence number elsewhere.
    """

    position: int
    raw: bytes
    raw_format: str
    fields: Mapping[str, object] | None
    problem: RecordProblem | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """Records from one fetch and the cursor after them; ``is_last`` when nothing more is waiting."""

    records: Sequence[RawRecord]
    cursor: Cursor | None
    is_last: bool


@runtime_checkable
class Fetcher(Protocol):
    """Brings mentions in. ``fetch(None)`` starts from the beginning (or from now, for live feeds)."""

    kind: ClassVar[str]

    def fetch(self, cursor: Cursor | None) -> Batch: ...


class FetchFailed(Exception):
    """The channel could not be read this time (network, timeout, server error); try again later.

    Say what failed in words an administrator can act on; never include a secret.
    """


class RateLimited(FetchFailed):
    """The channel asked us to wait (HTTP 429, ``Retry-After``, ``x-ratelimit-reset``)."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class OutgoingReply:
    """A reply to send through the channel the mention came from."""

    text: str
    in_reply_to: str | None
    recipient: str | None
    is_public: bool = True
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SentReply:
    """What the channel gave back: the id it assigned and when it took the reply."""

    external_id: str
    sent_at: datetime


class SinkError(Exception):
    """A reply could not be delivered; the message is safe to show (it holds no secret)."""


class SinkRetry(SinkError):
    """The failure may pass (a timeout, no connection, a 5xx, a rate limit): try again later."""


class SinkRefused(SinkError):
    """The receiver refused the reply; trying again will not help."""


@runtime_checkable
class Sink(Protocol):
    """Sends replies out; outbound messages always go through a sink, never from a view.

    ``send`` raises ``SinkRetry`` for a failure that may pass and ``SinkRefused`` for one that will not.
    """

    kind: ClassVar[str]

    def send(self, reply: OutgoingReply) -> SentReply: ...


class ConnectorKind(Protocol):
    """One kind of channel, as registered under the ``ombuds.connectors`` entry-point group.

    ``config_model`` types a source's settings; the fields named in ``secret_fields`` are encrypted
    at rest with the app's key and never logged or shown back. ``fetcher`` and ``sink`` build the
    connector from a validated config (``None`` when the kind only pushes, or cannot answer);
    ``timeout`` bounds every network call, so a channel that hangs never stalls the others.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]
    secret_fields: ClassVar[frozenset[str]]

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None: ...

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None: ...
