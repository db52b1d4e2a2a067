"""Reads: a brand's promises, their examples, their matches with the mentions and cases behind them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.mentions.models import Mention
from ombuds.promises.models import Promise, PromiseExample, PromiseMatch, Stance
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


def list_examples(session: Session, brand_id: int) -> list[PromiseExample]:
    query = select(PromiseExample).where(PromiseExample.brand_id == brand_id).order_by(PromiseExample.id)
    return list(session.scalars(query))


def get_match(session: Session, brand_id: int, match_id: int) -> PromiseMatch | None:
    found = session.get(PromiseMatch, match_id)
    return found if found is not None and found.brand_id == brand_id else None


def list_matches_for_mention(session: Session, mention_id: int) -> list[PromiseMatch]:
    return list(session.scalars(select(PromiseMatch).where(PromiseMatch.mention_id == mention_id)))


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
