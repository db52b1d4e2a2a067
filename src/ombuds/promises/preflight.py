"""Preflight of a draft claim: how the last weeks of customers' messages would have scored it.

A read: the draft goes through the same matcher, stance and scoring as a registered promise
(``judging.judge``, ``scoring.alignment``), as if it were the brand's only promise, and nothing
is stored. The sentence encoder costs tens of milliseconds a message on a busy CPU, so when the
window holds more than ``MAX_READ`` messages only the ``MAX_READ`` nearest to the claim by the
analysis engine's stored-size sentence vectors (distilled from the same encoder, a thousand times
cheaper) go to the matcher; docs/promises.md says how many matches that keeps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.clock import as_utc, utcnow
from ombuds.enrichment.engine import load_default_engine
from ombuds.errors import InvalidInput
from ombuds.mentions.models import Direction, Mention
from ombuds.promises import matching
from ombuds.promises.encoder import Encoder, FloatArray, default_encoder
from ombuds.promises.judging import judge
from ombuds.promises.queries import MentionFacts, get_mentions, mention_facts
from ombuds.promises.schemas import PreflightExample, PreflightRead
from ombuds.promises.scoring import Alignment, Experience, WindowScore, alignment, windows
from ombuds.shown_brands import note_shown

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
#: The most messages the sentence encoder reads for one preflight (see the module's docstring).
MAX_READ = 2000
#: Voices shown per stance.
EXAMPLES = 5
DRAFT_KEY = "draft"


@dataclass(frozen=True, slots=True)
class PreflightVoice:
    """A customer message that speaks to the draft, and what it says about it."""

    mention_id: int
    case_id: int | None
    stance: matching.Stance
    score: float
    occurred_at: datetime
    start: int  # the evidence: the sentence closest to the claim, as offsets in the message
    end: int


@dataclass(frozen=True)
class Preflight:
    text: str
    weeks: int
    start: datetime
    end: datetime
    messages: int  # customers' messages in the window
    read: int  # of those, the ones the matcher read
    confirms: int
    contradicts: int
    neutral: int
    alignment: Alignment
    trend: list[WindowScore]
    contradicting: list[PreflightVoice] = field(default_factory=list)
    confirming: list[PreflightVoice] = field(default_factory=list)

    @property
    def matches(self) -> int:
        return self.confirms + self.contradicts + self.neutral


def check_draft(text: str, weeks: int) -> tuple[str, int]:
    """The claim and window as given, or InvalidInput naming what is wrong."""
    claim = " ".join(text.split())
    if not claim:
        raise InvalidInput("text: the draft needs a claim to check")
    if len(claim) > 500:
        raise InvalidInput("text: a claim is a sentence or two (500 characters at most)")
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks: between 1 and {MAX_WEEKS}, not {weeks}")
    return claim, weeks


def nearest(claim: FloatArray, vectors: FloatArray, keep: int) -> list[int]:
    """Row indices of the ``keep`` vectors nearest the claim, in their original order. Pure."""
    if len(vectors) <= keep:
        return list(range(len(vectors)))
    scores = vectors @ claim
    return sorted(int(i) for i in np.argpartition(-scores, keep - 1)[:keep])


def _shortlist(texts: list[str], claim: str, keep: int) -> list[int]:
    """The messages nearest the claim by the engine's distilled sentence vectors (claim and denial
    averaged, as the matcher sees a promise)."""
    embedding = load_default_engine().embedding
    if embedding is None:  # an artifact without a sentence projection: the newest messages
        return list(range(keep))
    featurizer = embedding.featurizer
    views = featurizer.sentence_vectors(featurizer.transform(matching.promise_views(claim)))
    centre = views.mean(axis=0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-9)
    return nearest(centre, featurizer.sentence_vectors(featurizer.transform(texts)), keep)


def preflight(
    session: Session,
    *,
    brand_id: int,
    text: str,
    weeks: int = DEFAULT_WEEKS,
    now: datetime | None = None,
    encoder: Encoder | None = None,
    max_read: int = MAX_READ,
) -> Preflight:
    """Hold a draft claim against the brand's customer messages of the last ``weeks`` weeks."""
    claim, weeks = check_draft(text, weeks)
    note_shown(session, [brand_id])
    end = now or utcnow()
    start = end - timedelta(weeks=weeks)
    rows = list(
        session.execute(
            select(Mention.id, Mention.text, Mention.case_id, Mention.created_at)
            .where(
                Mention.brand_id == brand_id,
                Mention.direction == Direction.INBOUND,
                Mention.created_at >= start,
                Mention.created_at < end,
            )
            .order_by(Mention.created_at.desc(), Mention.id.desc())
        )
    )
    total = len(rows)
    if total > max_read:
        rows = [rows[i] for i in _shortlist([row.text for row in rows], claim, max_read)]
    facts = mention_facts(session, [row.id for row in rows])
    judged = (
        judge(
            matching.Matcher.build(encoder or default_encoder(), [matching.PromiseSpec(DRAFT_KEY, claim)]),
            [row.text for row in rows],
            [facts[row.id].sentiment if row.id in facts else None for row in rows],
        )
        if rows
        else []  # nothing to read: no need to load the sentence encoder
    )
    experiences: list[Experience] = []
    voices: list[PreflightVoice] = []
    echoes: dict[int, tuple[str | None, str]] = {}  # mention id → its echo group and its evidence's words
    for row, found in zip(rows, judged, strict=True):
        for item in found:
            weights = facts.get(row.id, MentionFacts())
            at = as_utc(row.created_at)
            experiences.append(Experience(at, item.finding.stance, weights.reach, weights.echo_group))
            echoes[row.id] = (weights.echo_group, " ".join(item.finding.evidence.lower().split()))
            voices.append(
                PreflightVoice(
                    row.id,
                    row.case_id,
                    item.finding.stance,
                    item.hit.score,
                    at,
                    item.finding.start,
                    item.finding.end,
                )
            )

    def loudest(stance: matching.Stance) -> list[PreflightVoice]:
        """The best-matching voices of the stance, each said once (an echo or the same words shown once)."""
        shown: list[PreflightVoice] = []
        groups: set[str] = set()
        said: set[str] = set()
        for voice in sorted((v for v in voices if v.stance is stance), key=lambda v: -v.score):
            group, words = echoes[voice.mention_id]
            if (group is not None and group in groups) or words in said:
                continue
            if group is not None:
                groups.add(group)
            said.add(words)
            shown.append(voice)
        return shown[:EXAMPLES]

    def count(stance: matching.Stance) -> int:
        return sum(1 for v in voices if v.stance is stance)

    return Preflight(
        text=claim,
        weeks=weeks,
        start=start,
        end=end,
        messages=total,
        read=len(rows),
        confirms=count(matching.Stance.CONFIRMS),
        contradicts=count(matching.Stance.CONTRADICTS),
        neutral=count(matching.Stance.NEUTRAL),
        alignment=alignment(experiences),
        trend=windows(experiences, start=start, end=end, width=timedelta(weeks=1)),
        contradicting=loudest(matching.Stance.CONTRADICTS),
        confirming=loudest(matching.Stance.CONFIRMS),
    )


def preflight_read(session: Session, brand_id: int, found: Preflight) -> PreflightRead:
    """The preflight over JSON, its example voices with the customers' messages."""
    voices = found.contradicting + found.confirming
    mentions = get_mentions(session, brand_id, [voice.mention_id for voice in voices])

    def example(voice: PreflightVoice) -> PreflightExample | None:
        mention = mentions.get(voice.mention_id)
        if mention is None:
            return None
        return PreflightExample(
            text=mention.text,
            stance=voice.stance.value,
            case_id=voice.case_id,
            mention_id=voice.mention_id,
            evidence=mention.text[voice.start : voice.end],
        )

    return PreflightRead(
        text=found.text,
        weeks=found.weeks,
        messages=found.messages,
        read=found.read,
        matches=found.matches,
        confirms=found.confirms,
        contradicts=found.contradicts,
        neutral=found.neutral,
        voices=found.alignment.voices,
        alignment=found.alignment.score,
        interval=[found.alignment.low, found.alignment.high],
        examples=[shown for voice in voices if (shown := example(voice)) is not None],
    )


# --- a draft keeps its last preflight ---------------------------------------------------------------


def _voice_data(voice: PreflightVoice) -> dict[str, Any]:
    return {
        "mention_id": voice.mention_id,
        "case_id": voice.case_id,
        "stance": voice.stance.value,
        "score": voice.score,
        "occurred_at": voice.occurred_at.isoformat(),
        "start": voice.start,
        "end": voice.end,
    }


def _voice_of(data: dict[str, Any]) -> PreflightVoice:
    return PreflightVoice(
        int(data["mention_id"]),
        None if data["case_id"] is None else int(data["case_id"]),
        matching.Stance(data["stance"]),
        float(data["score"]),
        datetime.fromisoformat(data["occurred_at"]),
        int(data["start"]),
        int(data["end"]),
    )


def to_data(found: Preflight) -> dict[str, Any]:
    """The preflight as JSON a draft keeps: figures and message ids, none of the customers' words."""
    return {
        "start": found.start.isoformat(),
        "end": found.end.isoformat(),
        "messages": found.messages,
        "read": found.read,
        "confirms": found.confirms,
        "contradicts": found.contradicts,
        "neutral": found.neutral,
        "alignment": asdict(found.alignment),
        "trend": [
            {
                "starts_at": w.starts_at.isoformat(),
                "ends_at": w.ends_at.isoformat(),
                "alignment": asdict(w.alignment),
            }
            for w in found.trend
        ],
        "contradicting": [_voice_data(voice) for voice in found.contradicting],
        "confirming": [_voice_data(voice) for voice in found.confirming],
    }


def from_data(text: str, weeks: int, data: dict[str, Any]) -> Preflight:
    """A draft's stored preflight, as it was computed."""
    return Preflight(
        text=text,
        weeks=weeks,
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        messages=int(data["messages"]),
        read=int(data["read"]),
        confirms=int(data["confirms"]),
        contradicts=int(data["contradicts"]),
        neutral=int(data["neutral"]),
        alignment=Alignment(**data["alignment"]),
        trend=[
            WindowScore(
                datetime.fromisoformat(w["starts_at"]),
                datetime.fromisoformat(w["ends_at"]),
                Alignment(**w["alignment"]),
            )
            for w in data["trend"]
        ],
        contradicting=[_voice_of(item) for item in data["contradicting"]],
        confirming=[_voice_of(item) for item in data["confirming"]],
    )
