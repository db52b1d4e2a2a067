"""What the reply checker reads and says: plain values shared by the composer, the API and sending.

No ORM and no web: a view builds a ``ReplyDraft`` from the case and its talking points, the checker
answers with ``ReplyFinding`` values, and the same values go back as JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Severity(StrEnum):
    """``block`` stops a send; ``warn`` asks the agent to look again; ``info`` is a hint."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


class FindingCode(StrEnum):
    PII_PUBLIC = "pii_public"
    CONTRADICTS_TALKING_POINT = "contradicts_talking_point"
    TOO_LONG = "too_long"
    NO_THANKS = "no_thanks"
    NO_ACKNOWLEDGEMENT = "no_acknowledgement"
    BLAME_OR_CURT = "blame_or_curt"
    MOVE_PRIVATE = "move_private"
    OTHER_CASE = "other_case"


@dataclass(frozen=True)
class ReplyFinding:
    """One thing the checker noticed; ``start:end`` are character offsets into the reply.

    A finding about the reply as a whole (nothing to point at, such as a missing thank-you) has the
    span ``0:0``.
    """

    code: FindingCode
    severity: Severity
    message: str
    start: int
    end: int

    def to_data(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class TalkingPoint:
    """One version of an approved statement that applies to the case being answered."""

    id: int
    version: int
    text: str
    #: the statement belongs to an incident that is active now: contradicting it blocks a send
    is_incident_active: bool = False
    title: str = ""

    @property
    def label(self) -> str:
        name = f' "{self.title}"' if self.title else ""
        return f"talking point{name} (#{self.id} v{self.version})"


#: A public post's length limit per channel (characters); ``None`` where the channel has no
#: limit a reply would reach. Names as the mentions carry them.
PUBLIC_LIMITS: dict[str, int | None] = {
    "x": 280,
    "twitter": 280,
    "mastodon": 500,
    "bluesky": 300,
    "threads": 500,
    "sms": 160,
    "instagram": 2200,
    "facebook": 8000,
    "reddit": 10000,
}
#: The same for a private message on the channel (a DM), where it differs from the public limit.
PRIVATE_LIMITS: dict[str, int | None] = {
    "x": 10000,
    "twitter": 10000,
    "bluesky": 1000,
    "instagram": 1000,
    "facebook": 2000,
}


def channel_limit(channel: str, visibility: Visibility = Visibility.PUBLIC) -> int | None:
    """The longest reply the channel takes, or ``None`` for email, chat, review sites and the rest."""
    name = channel.strip().lower()
    if visibility is Visibility.PRIVATE and name in PRIVATE_LIMITS:
        return PRIVATE_LIMITS[name]
    return PUBLIC_LIMITS.get(name)


#: Words in a case's category, intent or signals that mean answering it needs the customer's
#: account details (a booking, a payment, an account): those belong in a private channel.
ACCOUNT_WORDS = (
    "account",
    "bag",
    "baggage",
    "billing",
    "booking",
    "charge",
    "claim",
    "loyalty",
    "luggage",
    "miles",
    "order",
    "payment",
    "private_channel",
    "refund",
    "reservation",
    "ticket",
)
_ACCOUNT_WORD = re.compile(rf"\b(?:{'|'.join(ACCOUNT_WORDS)})s?\b", re.IGNORECASE)


def case_needs_account_details(
    *, category: str | None = None, intent: str | None = None, signals: Iterable[str] = ()
) -> bool:
    """Whether the case's category, intent or signals name something tied to the customer's account."""
    named = " ".join(filter(None, (category, intent, *signals)))
    return _ACCOUNT_WORD.search(named) is not None


@dataclass(frozen=True)
class ReplyDraft:
    """A reply as the agent has typed it, with the case facts the checks need."""

    text: str
    visibility: Visibility = Visibility.PUBLIC
    #: the channel the reply goes out on, as mentions name it (x, facebook, email, ...)
    channel: str = "other"
    #: characters allowed; ``None`` takes the channel's own limit (see ``channel_limit``)
    length_limit: int | None = None
    #: answering needs the customer's booking, payment or account (see ``case_needs_account_details``)
    needs_account_details: bool = False
    #: the case's intent (complaint, question, praise, ...), when known
    intent: str | None = None
    customer_name: str | None = None
    #: the brand's own reference for the case: quoting it in public is not personal data
    case_reference: str | None = None
    #: the brand's published phone numbers and addresses: giving them in public is not personal data
    brand_contacts: tuple[str, ...] = ()
    #: the active statements that apply to the case (its incident, its topic)
    talking_points: tuple[TalkingPoint, ...] = field(default=())

    @property
    def limit(self) -> int | None:
        if self.length_limit is not None:
            return self.length_limit
        return channel_limit(self.channel, self.visibility)
