"""A reply goes back through the connector the customer's message came from, when it can answer.

The customer's message names its source; the source's kind builds a sink from that source's own
config, opened with the app's secret box. A kind that cannot answer (a feed, a signed webhook, a
file import, the API) or a source set up without the means (a mailbox with no SMTP server, a
read-only Reddit or X source) leaves the reply to the brand's reply sinks, as before. So does a
private reply (or a survey link) to a source whose kind answers in public only: a kind says so with
``answers_privately = False`` (Bluesky, Reddit, X), and the brand's webhook may still carry a DM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from ombuds.connectors.base import (
    ConnectorKind,
    FetchFailed,
    OutgoingReply,
    RateLimited,
    SentReply,
    Sink,
    SinkRetry,
)
from ombuds.connectors.registry import installed_kinds
from ombuds.connectors.secrets import SecretUnreadable, open_config
from ombuds.errors import InvalidInput
from ombuds.mentions.models import Mention, Source

#: Every network call of a source's sink gives up after this long; the outbox tries again later.
SINK_TIMEOUT_SECONDS = 30.0


class WaitAsked(SinkRetry):
    """The channel asked us to wait (a rate limit on a sign-in or a look-up): not before ``retry_after``."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ConnectorSink:
    """A source's sink, speaking the outbox's two failures only.

    A sink may read before it writes (Bluesky signs in and looks the parent post up, Reddit gets a
    token), and a read fails as ``FetchFailed`` or ``RateLimited``: both may pass, so both are
    retried, a rate limit no sooner than it asked.
    """

    kind: ClassVar[str] = "source"
    inner: Sink

    def send(self, reply: OutgoingReply) -> SentReply:
        try:
            return self.inner.send(reply)
        except RateLimited as exc:
            raise WaitAsked(str(exc), retry_after=exc.retry_after) from None
        except FetchFailed as exc:
            raise SinkRetry(str(exc)) from None


@dataclass(frozen=True)
class UnopenedSource:
    """A source that could answer but whose config does not open (its secret was sealed with another
    key, or it no longer validates): each attempt says why, so an administrator can set it again,
    and the reply waits rather than leave by another road (another address, another account)."""

    kind: ClassVar[str] = "unopened"
    reason: str

    def send(self, reply: OutgoingReply) -> SentReply:
        raise SinkRetry(self.reason)


def answers_privately(kind: ConnectorKind) -> bool:
    """Whether the kind's sink sends private replies (an email, a Mastodon direct message)."""
    return getattr(kind, "answers_privately", True)


def source_sink(
    session: Session, *, mention: Mention, box: Fernet, private: bool, timeout: float = SINK_TIMEOUT_SECONDS
) -> Sink | None:
    """The sink of the source ``mention`` came through, or None when that source cannot answer
    (or, for a ``private`` reply, cannot answer privately)."""
    source = session.get(Source, mention.source_id)
    kind = installed_kinds().get(source.kind) if source is not None else None
    if source is None or kind is None:  # the API, a file import, the desk's own replies
        return None
    if private and not answers_privately(kind):
        return None
    try:
        config = open_config(kind, source.config, box, where=f"source {source.id} ({source.name[:60]})")
    except (SecretUnreadable, InvalidInput) as exc:
        return UnopenedSource(f"{exc}")
    sink = kind.sink(config, timeout=timeout)
    return ConnectorSink(sink) if sink is not None else None
