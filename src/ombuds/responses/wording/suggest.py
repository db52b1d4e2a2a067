"""Which approved words fit a case, and in what order: pure, so the ranking is tested without a database.

A case's *topic* is its messages' categories and their text. A talking point, template or news
item with categories or keywords matches when one of its categories is the case's (ignoring case
and spacing) or one of its keywords appears in the text as whole words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ombuds.incidents.detectors.text import STOPWORDS
from ombuds.mentions.values import for_channel


@dataclass(frozen=True)
class CaseTopic:
    """What the suggestions know about the case being answered."""

    categories: frozenset[str] = frozenset()
    text: str = ""
    channel: str = ""

    @classmethod
    def of(cls, categories: Iterable[str | None], texts: Iterable[str], channel: str = "") -> CaseTopic:
        return cls(
            categories=frozenset(_norm(c) for c in categories if c and c.strip()),
            text="\n".join(texts),
            channel=channel.strip().lower(),
        )


def _norm(label: str) -> str:
    return " ".join(label.replace("_", " ").replace("-", " ").lower().split())


def matched_terms(topic: CaseTopic, *, categories: Sequence[str], keywords: Sequence[str]) -> list[str]:
    """The categories and keywords of an item that the case matches, in the item's order."""
    found = [c for c in categories if c.strip() and _norm(c) in topic.categories]
    for keyword in keywords:
        words = keyword.split()
        if not words:
            continue
        pattern = r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\b"
        if re.search(pattern, topic.text, re.IGNORECASE):
            found.append(keyword)
    return found


def is_valid(now: datetime, valid_from: datetime | None, valid_until: datetime | None) -> bool:
    """Whether an item is in force at ``now``: from ``valid_from`` (inclusive) until ``valid_until``."""
    if valid_from is not None and now < valid_from:
        return False
    return valid_until is None or now < valid_until


@dataclass(frozen=True)
class Candidate:
    """Something that could be suggested, with what ranks it."""

    kind: str  # talking_point, template, news
    id: int
    #: the statement of an incident linked to the case (and active when ``incident_active``)
    incident_id: int | None = None
    incident_active: bool = False
    matched: tuple[str, ...] = ()
    has_channel_variant: bool = False
    usage_count: int = 0
    updated_at: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False)


def rank_key(candidate: Candidate) -> tuple[int, int, int, int, float]:
    """Sort key, smallest first: an active incident's statement, then other linked incidents', then
    topic matches by how much matched; among templates the channel's own variant and the most used."""
    tier = 2 if candidate.incident_id is None else (0 if candidate.incident_active else 1)
    stamp = candidate.updated_at.timestamp() if candidate.updated_at is not None else 0.0
    return (
        tier,
        -len(candidate.matched),
        0 if candidate.has_channel_variant else 1,
        -candidate.usage_count,
        -stamp,
    )


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=rank_key)


#: The variables a template may hold; anything else in braces is left as written.
TEMPLATE_VARIABLES = ("customer_name", "case_ref", "agent_name")


def template_wording(body: str, variants: dict[str, str], channel: str) -> tuple[str, bool]:
    """The template's wording for the channel (its own variant when it has one) and whether it had one."""
    own = for_channel(variants, channel.strip().lower())
    return (own, True) if own else (body, False)


def fill_template(text: str, *, customer_name: str | None, case_ref: str, agent_name: str | None) -> str:
    """Fill ``{customer_name}``, ``{case_ref}`` and ``{agent_name}``; an unknown name reads "there" / "the team"."""
    values = {
        "customer_name": customer_name or "there",
        "case_ref": case_ref,
        "agent_name": agent_name or "the team",
    }
    for name in TEMPLATE_VARIABLES:
        text = text.replace("{" + name + "}", values[name])
    return text


# --- past replies ---------------------------------------------------------------------------------

SHARED_WORDS_FOR_SIMILAR = 2
PAST_REPLIES_SHOWN = 3


def content_words(text: str) -> frozenset[str]:
    """The words of four letters or more that say what a message is about."""
    return frozenset(w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOPWORDS)


@dataclass(frozen=True)
class PastReply:
    """A reply sent on another case of the brand that ended resolved, with what that case was about."""

    reply_id: int
    case_id: int
    text: str
    visibility: str
    sent_at: datetime
    categories: frozenset[str] = frozenset()
    case_text: str = ""


def past_reply_match(topic: CaseTopic, past: PastReply) -> list[str]:
    """Why a past reply fits the case: the categories both cases share, or (without a shared
    category) the words their customers both used, when there are enough of them."""
    shared = sorted(topic.categories & {_norm(c) for c in past.categories})
    if shared:
        return shared
    words = sorted(content_words(topic.text) & content_words(past.case_text))
    return words if len(words) >= SHARED_WORDS_FOR_SIMILAR else []


#: initials signing a reply off ("... ^PD", "^ÉN.", "^PD 🙏"), as care teams on X sign theirs
SIGN_OFF = re.compile(r"\s*\^[^\W\d_]{1,4}\b(?P<tail>[^\w^]*)$")


def initials(name: str | None) -> str:
    """An agent's initials as they sign a reply: "Pat Doe" is "PD"; nothing without a name."""
    return "".join(word[0] for word in (name or "").split() if word[0].isalpha()).upper()[:4]


def adapted_past_reply(
    text: str,
    *,
    past_case_id: int,
    case_ref: str,
    past_customer: str | None,
    customer: str | None,
    agent_name: str | None,
) -> str:
    """A past reply's words made for this case: this customer's name for the other's, this case's
    number for the other's, and this agent's initials for the other agent's sign-off (or none).
    Its facts (a refund issued, a bag found) are the agent's to check; the composer's checker
    still warns of any other case number left in."""
    if past_customer and past_customer.strip():
        text = text.replace(past_customer, customer or "there")
    text = re.sub(rf"(?<![\w#&])#{past_case_id}\b", case_ref, text)
    mine = initials(agent_name)
    return SIGN_OFF.sub(lambda found: (f" ^{mine}" if mine else "") + found["tail"], text)


def similar_past_replies(
    topic: CaseTopic, past: Iterable[PastReply], *, limit: int = PAST_REPLIES_SHOWN
) -> list[tuple[PastReply, list[str]]]:
    """The past replies that fit the case, most recently sent first, at most ``limit``, one per case.

    Surveys do not exist yet; when they do, a good score should rank a reply above a newer one.
    """
    found: list[tuple[PastReply, list[str]]] = []
    seen_cases: set[int] = set()
    for reply in sorted(past, key=lambda r: (r.sent_at, r.reply_id), reverse=True):
        if reply.case_id in seen_cases:
            continue
        matched = past_reply_match(topic, reply)
        if matched:
            found.append((reply, matched))
            seen_cases.add(reply.case_id)
        if len(found) == limit:
            break
    return found
