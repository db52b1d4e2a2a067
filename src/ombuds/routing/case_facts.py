"""What routing reads of a case: its customer's messages up to a mention, their analysis, the last reply.

``facts_for_case`` reads one case; ``facts_for_mentions`` reads every case of a routing batch in
one query (instead of three per mention) and tells the same facts. Routing writes neither
mentions nor their analysis, so everything a batch needs can be read before it starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.clock import as_utc
from ombuds.enrichment.case_mood import MessageMood, case_mood
from ombuds.enrichment.findings import SignalsData
from ombuds.enrichment.models import Enrichment, finding_of
from ombuds.mentions.models import Direction, Mention
from ombuds.routing.rules import CaseFacts

REACH_ORDER = ("low", "medium", "high", "very_high", "celebrity")
#: the analyzers whose findings make up a case's facts: the first two by their ``data``, the others by their label
SENTIMENT, SIGNALS, INTENT, CATEGORY, REACH = "sentiment", "signals", "intent", "category", "reach"


class Finding(Protocol):
    @property
    def label(self) -> str | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Said:
    """One customer message of a case, as far as routing looks at it."""

    id: int
    created_at: datetime
    author_followers: int | None


def case_facts(
    mention: Mention,
    *,
    said: Sequence[Said],
    answered_at: datetime | None,
    findings: Mapping[int, Mapping[str, Finding]],
) -> CaseFacts:
    """The case as its customer's messages up to ``mention`` tell it; the brand's replies only end a wait.

    Mood comes from all of them (``case_mood``); signals add up; reach is the widest; the
    category is the latest one analysis or a person gave; privacy is the latest message's.
    """
    rows = [findings.get(m.id, {}) for m in said]
    moods = [
        MessageMood.from_finding(found.label, found.score, found.data, where=f"mention {m.id}")
        for m, row in zip(said, rows, strict=True)
        if (found := row.get(SENTIMENT)) is not None
    ]
    mood = case_mood(moods)
    signals: set[str] = set()
    for m, row in zip(said, rows, strict=True):
        if (found := row.get(SIGNALS)) is not None:
            signals |= SignalsData.parse(found.data, where=f"mention {m.id}").names
    intents = {found.label for row in rows if (found := row.get(INTENT)) is not None}
    categories = [found.label for row in rows if (found := row.get(CATEGORY)) and found.label]
    tiers = [found.label for row in rows if (found := row.get(REACH)) and found.label in REACH_ORDER]
    return CaseFacts(
        channel=mention.channel,
        sentiment=mood.label if mood else None,
        sentiment_score=mood.score if mood else None,
        intent=_case_intent(intents),
        category=categories[-1] if categories else None,
        signals=frozenset(signals),
        followers=max((m.author_followers or 0 for m in said), default=None),
        reach_tier=max(tiers, key=REACH_ORDER.index) if tiers else None,
        is_public=mention.is_public,
        unanswered_messages=sum(
            1 for m in said if answered_at is None or as_utc(m.created_at) > as_utc(answered_at)
        ),
    )


def _case_intent(intents: set[str | None]) -> str | None:
    """A case is a complaint if the customer ever complained, else a question if they asked."""
    for intent in ("complaint", "question", "suggestion", "praise", "other"):
        if intent in intents:
            return intent
    return None


def facts_for_case(session: Session, *, case: Case, mention: Mention) -> CaseFacts:
    """The facts of one case as of ``mention`` (see ``case_facts``)."""
    return facts_for_mentions(session, mentions=[mention], case_of={mention.id: case.id})[mention.id]


def facts_for_mentions(
    session: Session, *, mentions: Sequence[Mention], case_of: Mapping[int, int] | None = None
) -> dict[int, CaseFacts]:
    """Each mention's case facts as of that mention, for a whole batch in one query: a row per
    message of the batch's cases, with the findings routing reads beside it (a row per finding
    made six rows to read a message)."""
    case_of = case_of or {m.id: m.case_id for m in mentions if m.case_id is not None}
    if not case_of:
        return {}
    inbound: dict[int, list[Said]] = defaultdict(list)
    replies: dict[int, list[datetime]] = defaultdict(list)
    findings: dict[int, dict[str, Finding]] = {}
    # only the mood's and the signals' data is read (``case_facts``); the others' label is enough,
    # and parsing their JSON (a category's probabilities the longest) is CPU for nothing
    rows = session.execute(
        select(
            Mention.id,
            Mention.case_id,
            Mention.direction,
            Mention.created_at,
            Mention.author_followers,
            finding_of(SENTIMENT, Enrichment.label, Mention.id),
            finding_of(SENTIMENT, Enrichment.score, Mention.id),
            finding_of(SENTIMENT, Enrichment.data, Mention.id),
            finding_of(SIGNALS, Enrichment.data, Mention.id),
            finding_of(INTENT, Enrichment.label, Mention.id),
            finding_of(CATEGORY, Enrichment.label, Mention.id),
            finding_of(REACH, Enrichment.label, Mention.id),
        )
        .where(Mention.case_id.in_(set(case_of.values())))
        .order_by(Mention.created_at, Mention.id)
    )
    for mention_id, case_id, direction, created_at, followers, *found in rows:
        if case_id is None:
            continue
        if direction is not Direction.INBOUND:
            replies[case_id].append(as_utc(created_at))
            continue
        inbound[case_id].append(Said(mention_id, as_utc(created_at), followers))
        findings[mention_id] = _findings(*found)
    facts = {}
    for mention in mentions:
        case_id = case_of.get(mention.id)
        if case_id is None:
            continue
        until = as_utc(mention.created_at)
        said = [m for m in inbound[case_id] if m.created_at <= until]
        if all(m.id != mention.id for m in said):
            said.append(Said(mention.id, until, mention.author_followers))
        answered_at = max((at for at in replies[case_id] if at <= until), default=None)
        facts[mention.id] = case_facts(mention, said=said, answered_at=answered_at, findings=findings)
    return facts


@dataclass(frozen=True, slots=True)
class _Found:
    """A finding as routing reads it (``Finding``)."""

    label: str | None = None
    score: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _findings(
    sentiment: str | None,
    score: float | None,
    mood: dict[str, Any] | None,
    signals: dict[str, Any] | None,
    intent: str | None,
    category: str | None,
    reach: str | None,
) -> dict[str, Finding]:
    """The findings of a message by analyzer; ``data`` is never NULL, so a finding whose data is
    missing is missing, and one whose label is read alone counts only with a label."""
    found: dict[str, Finding] = {}
    if mood is not None:
        found[SENTIMENT] = _Found(sentiment, score, mood)
    if signals is not None:
        found[SIGNALS] = _Found(data=signals)
    for analyzer, label in ((INTENT, intent), (CATEGORY, category), (REACH, reach)):
        if label is not None:
            found[analyzer] = _Found(label)
    return found
