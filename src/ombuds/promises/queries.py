"""Reads: a brand's promises, their examples, their matches with the mentions and cases behind them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.cases.models import Case
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from ombuds.promises.models import (
    Promise,
    PromiseDraft,
    PromiseDraftComment,
    PromiseExample,
    PromiseMatch,
    Stance,
)
from ombuds.shown_brands import note_shown


def list_promises(session: Session, brand_id: int, *, active_only: bool = False) -> list[Promise]:
    note_shown(session, [brand_id])
    query = select(Promise).where(Promise.brand_id == brand_id).order_by(Promise.id)
    if active_only:
        query = query.where(Promise.is_active.is_(True))
    return list(session.scalars(query))


def get_promise(session: Session, brand_id: int, promise_id: int) -> Promise | None:
    found = session.get(Promise, promise_id)
    if found is None or found.brand_id != brand_id:
        return None
    note_shown(session, [brand_id])
    return found


def get_promise_by_key(session: Session, brand_id: int, key: str) -> Promise | None:
    return session.scalars(select(Promise).where(Promise.brand_id == brand_id, Promise.key == key)).first()


def list_examples(session: Session, brand_id: int, *, promise_id: int | None = None) -> list[PromiseExample]:
    """The brand's examples (or one promise's), oldest first."""
    query = select(PromiseExample).where(PromiseExample.brand_id == brand_id).order_by(PromiseExample.id)
    if promise_id is not None:
        query = query.where(PromiseExample.promise_id == promise_id)
    return list(session.scalars(query))


def get_match(session: Session, brand_id: int, match_id: int) -> PromiseMatch | None:
    found = session.get(PromiseMatch, match_id)
    return found if found is not None and found.brand_id == brand_id else None


def list_matches_for_mention(session: Session, mention_id: int) -> list[PromiseMatch]:
    return list(
        session.scalars(
            select(PromiseMatch).where(PromiseMatch.mention_id == mention_id).order_by(PromiseMatch.id)
        )
    )


@dataclass(frozen=True)
class MatchedExperience:
    """A match with the mention and case behind it: what scoring and the pages need."""

    match: PromiseMatch
    mention: Mention
    case: Case | None


def list_experiences(
    session: Session,
    brand_id: int,
    *,
    promise_ids: Sequence[int] | None = None,
    stance: Stance | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[MatchedExperience]:
    """Matches joined to their mentions and cases, newest first."""
    note_shown(session, [brand_id])
    query = (
        select(PromiseMatch, Mention, Case)
        .join(Mention, Mention.id == PromiseMatch.mention_id)
        .outerjoin(Case, Case.id == Mention.case_id)
        .where(PromiseMatch.brand_id == brand_id)
        .order_by(PromiseMatch.occurred_at.desc(), PromiseMatch.id.desc())
    )
    if promise_ids is not None:
        query = query.where(PromiseMatch.promise_id.in_(list(promise_ids)))
    if stance is not None:
        query = query.where(PromiseMatch.stance == stance)
    if since is not None:
        query = query.where(PromiseMatch.occurred_at >= since)
    if limit is not None:
        query = query.limit(limit)
    return [MatchedExperience(match, mention, case) for match, mention, case in session.execute(query)]


@dataclass(frozen=True, slots=True)
class MentionFacts:
    """What analysis said of a mention that matching and scoring weigh: its mood, reach and echoes."""

    sentiment: str | None = None
    reach: float = 0.0
    echo_group: str | None = None

    def weights(self) -> dict[str, Any]:
        """The scoring weights a match keeps in its ``data``."""
        return {"reach": self.reach, "echo_group": self.echo_group}


def mention_facts(session: Session, mention_ids: Sequence[int]) -> dict[int, MentionFacts]:
    """Sentiment, reach and echo group of each analysed mention (mentions without any are left out)."""
    found: dict[int, dict[str, Enrichment]] = {}
    for start in range(0, len(mention_ids), 5000):  # under every database's bound-parameter limit
        rows = session.scalars(
            select(Enrichment).where(
                Enrichment.mention_id.in_(list(mention_ids[start : start + 5000])),
                Enrichment.analyzer.in_(("sentiment", "reach", "duplicates")),
            )
        )
        for row in rows:
            found.setdefault(row.mention_id, {})[row.analyzer] = row
    facts: dict[int, MentionFacts] = {}
    for mention_id, by_analyzer in found.items():
        sentiment, reach, duplicates = (
            by_analyzer.get(name) for name in ("sentiment", "reach", "duplicates")
        )
        facts[mention_id] = MentionFacts(
            sentiment=sentiment.label if sentiment is not None else None,
            reach=float(reach.score) if reach is not None and reach.score is not None else 0.0,
            echo_group=duplicates.label if duplicates is not None else None,
        )
    return facts


# --- draft claims ---------------------------------------------------------------------------------


def list_drafts(session: Session, brand_id: int, *, unregistered_only: bool = False) -> list[PromiseDraft]:
    """The brand's draft claims, newest first."""
    note_shown(session, [brand_id])
    query = (
        select(PromiseDraft)
        .where(PromiseDraft.brand_id == brand_id)
        .order_by(PromiseDraft.created_at.desc(), PromiseDraft.id.desc())
    )
    if unregistered_only:
        query = query.where(PromiseDraft.promise_id.is_(None))
    return list(session.scalars(query))


def get_draft(session: Session, brand_id: int, draft_id: int) -> PromiseDraft | None:
    found = session.get(PromiseDraft, draft_id)
    if found is None or found.brand_id != brand_id:
        return None
    note_shown(session, [brand_id])
    return found


def list_draft_comments(session: Session, draft_id: int) -> list[tuple[PromiseDraftComment, str | None]]:
    """A draft's comments, oldest first, with their authors' names."""
    query = (
        select(PromiseDraftComment, User.name)
        .outerjoin(User, User.id == PromiseDraftComment.author_id)
        .where(PromiseDraftComment.draft_id == draft_id)
        .order_by(PromiseDraftComment.created_at, PromiseDraftComment.id)
    )
    return [(comment, name) for comment, name in session.execute(query)]


def comment_counts(session: Session, draft_ids: Sequence[int]) -> dict[int, int]:
    if not draft_ids:
        return {}
    query = (
        select(PromiseDraftComment.draft_id, func.count())
        .where(PromiseDraftComment.draft_id.in_(list(draft_ids)))
        .group_by(PromiseDraftComment.draft_id)
    )
    return {int(row[0]): int(row[1]) for row in session.execute(query)}


def get_mentions(session: Session, brand_id: int, mention_ids: Sequence[int]) -> dict[int, Mention]:
    """The brand's mentions among these ids (an erased one is simply absent)."""
    if not mention_ids:
        return {}
    note_shown(session, [brand_id])
    query = select(Mention).where(Mention.brand_id == brand_id, Mention.id.in_(list(mention_ids)))
    return {mention.id: mention for mention in session.scalars(query)}
