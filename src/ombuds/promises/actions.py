"""The only writers of promises, their examples and their matches. They never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, User
from ombuds.clock import utcnow
from ombuds.errors import InvalidInput
from ombuds.events import record_event
from ombuds.mentions.models import Direction, Mention
from ombuds.promises import matching
from ombuds.promises.encoder import Encoder, default_encoder
from ombuds.promises.files import PromiseEntry
from ombuds.promises.judging import judge
from ombuds.promises.models import ExampleKind, Promise, PromiseExample, PromiseMatch, Stance
from ombuds.promises.queries import (
    MentionFacts,
    get_promise_by_key,
    list_examples,
    list_promises,
    mention_facts,
)


def create_promise(
    session: Session, *, brand: Brand, key: str, text: str, actor: User | None = None, **details: object
) -> Promise:
    """Register a claim the brand makes; it is matched from the next batch on."""
    if not key.strip() or not text.strip():
        raise InvalidInput("a promise needs a key and a text")
    if get_promise_by_key(session, brand.id, key) is not None:
        from ombuds.errors import Conflict

        raise Conflict(f"promise {key!r} already exists")
    promise = Promise(brand_id=brand.id, key=key.strip(), text=text.strip(), channels=[])
    _apply(promise, details)
    session.add(promise)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind="promise.created",
        subject_type="promise",
        subject_id=promise.id,
        actor_id=actor.id if actor else None,
        data={"key": promise.key, "text": promise.text},
    )
    return promise


def update_promise(
    session: Session, *, promise: Promise, actor: User | None = None, **changes: object
) -> Promise:
    """Change a promise's wording or details; earlier matches keep the model version that made them."""
    before = {"text": promise.text, "campaign": promise.campaign, "is_active": promise.is_active}
    _apply(promise, changes)
    promise.updated_at = utcnow()
    record_event(
        session,
        brand_id=promise.brand_id,
        kind="promise.updated",
        subject_type="promise",
        subject_id=promise.id,
        actor_id=actor.id if actor else None,
        data={"before": before, "changes": sorted(changes)},
    )
    return promise


_EDITABLE = ("text", "campaign", "channels", "starts_at", "ends_at", "owner", "label", "is_active")


def _apply(promise: Promise, values: dict[str, object]) -> None:
    for name, value in values.items():
        if name not in _EDITABLE:
            raise InvalidInput(f"promise has no editable field {name!r}")
        if name == "text" and (not isinstance(value, str) or not value.strip()):
            raise InvalidInput("text: a promise needs its claim")
        setattr(promise, name, list(value) if name == "channels" else value)  # type: ignore[call-overload]


def import_promises(
    session: Session, *, brand: Brand, entries: Sequence[PromiseEntry], actor: User | None = None
) -> tuple[int, int]:
    """Create or update promises by id from YAML entries; their examples are added once."""
    created = updated = 0
    for entry in entries:
        details: dict[str, object] = {
            "campaign": entry.campaign,
            "channels": list(entry.channels),
            "starts_at": entry.starts_at,
            "ends_at": entry.ends_at,
            "owner": entry.owner,
            "label": entry.label,
        }
        promise = get_promise_by_key(session, brand.id, entry.key)
        if promise is None:
            promise = create_promise(
                session, brand=brand, key=entry.key, text=entry.text, actor=actor, **details
            )
            created += 1
        else:
            update_promise(session, promise=promise, actor=actor, text=entry.text, **details)
            updated += 1
        add_examples(session, promise=promise, examples=entry.examples, actor=actor)
    session.flush()
    return created, updated


def add_examples(
    session: Session, *, promise: Promise, examples: Sequence[tuple[str, str]], actor: User | None = None
) -> int:
    """Add (text, "confirms" | "contradicts") examples the promise does not have yet; later matches use them."""
    known = {
        (example.text, example.kind)
        for example in session.scalars(select(PromiseExample).where(PromiseExample.promise_id == promise.id))
    }
    added = 0
    for text, kind in examples:
        example = (text.strip(), ExampleKind(kind))
        if example[0] and example not in known:
            known.add(example)
            session.add(
                PromiseExample(
                    brand_id=promise.brand_id,
                    promise_id=promise.id,
                    text=example[0],
                    kind=example[1],
                    created_by_id=actor.id if actor else None,
                )
            )
            added += 1
    session.flush()
    return added


# --- matching ---------------------------------------------------------------------------------


def build_matcher(
    session: Session, brand_id: int, promises: Sequence[Promise], encoder: Encoder | None = None
) -> matching.Matcher:
    """The brand's given promises (its active ones) and every example agents gave, encoded for matching."""
    keys = {promise.id: promise.key for promise in promises}
    examples = [
        matching.LabelledExample(keys[example.promise_id], example.text, example.kind)
        for example in list_examples(session, brand_id)
        if example.promise_id in keys
    ]
    return matching.Matcher.build(
        encoder or default_encoder(),
        [matching.PromiseSpec(promise.key, promise.text) for promise in promises],
        examples,
    )


def match_mentions(
    session: Session, *, brand_id: int, mentions: Sequence[Mention], encoder: Encoder | None = None
) -> list[PromiseMatch]:
    """Match inbound mentions to the brand's promises and store stance, evidence, score and model.

    Idempotent: a mention's earlier automatic matches are updated in place (or removed when no
    longer made); reviewed ones are kept.
    """
    inbound = [m for m in mentions if m.brand_id == brand_id and m.direction == Direction.INBOUND]
    if not inbound:
        return []
    promises = list_promises(session, brand_id, active_only=True)
    if not promises:
        return []  # most brands have none: do not load the sentence encoder for nothing
    matcher = build_matcher(session, brand_id, promises, encoder)
    promise_ids = {promise.key: promise.id for promise in promises}
    earlier: dict[tuple[int, int], PromiseMatch] = {
        (row.mention_id, row.promise_id): row
        for row in session.scalars(
            select(PromiseMatch).where(PromiseMatch.mention_id.in_([m.id for m in inbound]))
        )
    }
    facts = mention_facts(session, [m.id for m in inbound])
    judged = judge(
        matcher,
        [m.text for m in inbound],
        [facts[m.id].sentiment if m.id in facts else None for m in inbound],
    )
    stored: list[PromiseMatch] = []
    for mention, found in zip(inbound, judged, strict=True):
        weights = facts.get(mention.id, MentionFacts()).weights()
        for item in found:
            promise_id = promise_ids[item.hit.promise_key]
            row = earlier.pop((mention.id, promise_id), None)
            if row is not None and row.is_reviewed:
                continue
            stance = item.finding
            if row is None:  # a new match; an earlier one is updated in place, so a rerun changes nothing
                row = PromiseMatch(brand_id=brand_id, promise_id=promise_id, mention_id=mention.id)
                session.add(row)
            row.stance = stance.stance
            row.score = item.hit.score
            row.evidence = stance.evidence
            row.evidence_start = stance.start
            row.evidence_end = stance.end
            row.model_version = matcher.version
            row.occurred_at = mention.created_at
            row.data = weights | {"stance_from": stance.source, "via_example": item.hit.via_example}
            stored.append(row)
    for row in earlier.values():  # automatic matches the model no longer makes
        if not row.is_reviewed:
            session.delete(row)
    session.flush()
    return stored


# --- agents' reviews ------------------------------------------------------------------------------


def confirm_match(
    session: Session, *, match: PromiseMatch, actor: User, stance: Stance | None = None
) -> PromiseMatch:
    """An agent agrees the mention speaks to the promise (optionally fixing the stance)."""
    mention = session.get(Mention, match.mention_id)
    assert mention is not None  # foreign key
    _review(session, match=match, mention=mention, stance=stance or match.stance, actor=actor)
    record_event(
        session,
        brand_id=match.brand_id,
        kind="promise.match_confirmed",
        subject_type="promise",
        subject_id=match.promise_id,
        actor_id=actor.id,
        data={"mention_id": match.mention_id, "stance": match.stance.value},
    )
    return match


def correct_match(
    session: Session,
    *,
    match: PromiseMatch,
    actor: User,
    promise: Promise | None,
    stance: Stance | None = None,
) -> PromiseMatch | None:
    """An agent says the mention speaks to another promise (or to none); both become examples."""
    mention = session.get(Mention, match.mention_id)
    assert mention is not None  # foreign key
    old_promise_id = match.promise_id
    _add_example(session, match=match, mention=mention, kind=ExampleKind.UNRELATED, actor=actor)
    session.delete(match)
    session.flush()
    moved: PromiseMatch | None = None
    if promise is not None:
        if promise.brand_id != match.brand_id:
            raise InvalidInput("the promise belongs to another brand")
        moved = _agent_match(
            session, mention=mention, promise=promise, stance=stance or match.stance, like=match
        )
        _review(session, match=moved, mention=mention, stance=moved.stance, actor=actor)
    record_event(
        session,
        brand_id=match.brand_id,
        kind="promise.match_corrected",
        subject_type="promise",
        subject_id=old_promise_id,
        actor_id=actor.id,
        data={"mention_id": mention.id, "to_promise_id": promise.id if promise else None},
    )
    session.flush()
    return moved


def assign_match(
    session: Session, *, mention: Mention, promise: Promise, actor: User, stance: Stance
) -> PromiseMatch:
    """An agent ties a mention the matcher missed to a promise; it becomes an example too."""
    if promise.brand_id != mention.brand_id:
        raise InvalidInput("the promise belongs to another brand")
    found = _agent_match(session, mention=mention, promise=promise, stance=stance, like=None)
    _review(session, match=found, mention=mention, stance=stance, actor=actor)
    record_event(
        session,
        brand_id=mention.brand_id,
        kind="promise.match_assigned",
        subject_type="promise",
        subject_id=promise.id,
        actor_id=actor.id,
        data={"mention_id": mention.id, "stance": stance.value},
    )
    session.flush()
    return found


def _agent_match(
    session: Session, *, mention: Mention, promise: Promise, stance: Stance, like: PromiseMatch | None
) -> PromiseMatch:
    """The mention's match to the promise; made by the agent when missing, with ``like``'s evidence
    (a match moved from another promise) or the whole text (a mention the matcher missed)."""
    found = session.scalars(
        select(PromiseMatch).where(
            PromiseMatch.mention_id == mention.id, PromiseMatch.promise_id == promise.id
        )
    ).first()
    if found is not None:
        found.stance = stance
        return found
    found = PromiseMatch(
        brand_id=mention.brand_id,
        promise_id=promise.id,
        mention_id=mention.id,
        score=1.0,
        evidence=like.evidence if like else mention.text,
        evidence_start=like.evidence_start if like else 0,
        evidence_end=like.evidence_end if like else len(mention.text),
        model_version="agent",
        occurred_at=like.occurred_at if like else mention.created_at,
        data=dict(like.data or {}) if like else {},
        stance=stance,
    )
    session.add(found)
    return found


def _review(session: Session, *, match: PromiseMatch, mention: Mention, stance: Stance, actor: User) -> None:
    """The agent's word on a match: its stance, who said so, and (unless neutral) a new example."""
    match.stance = stance
    match.is_reviewed = True
    match.reviewed_by_id = actor.id
    if stance is not Stance.NEUTRAL:
        _add_example(session, match=match, mention=mention, kind=ExampleKind(stance.value), actor=actor)


def _add_example(
    session: Session, *, match: PromiseMatch, mention: Mention, kind: ExampleKind, actor: User
) -> PromiseExample:
    example = PromiseExample(
        brand_id=match.brand_id,
        promise_id=match.promise_id,
        text=mention.text,
        kind=kind,
        mention_id=mention.id,
        created_by_id=actor.id,
    )
    session.add(example)
    return example
