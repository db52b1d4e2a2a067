"""The only writers of draft claims and care's comments on them. They never commit.

A draft is not a promise: registering it goes through ``actions.create_promise`` like any other.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand, User
from ombuds.clock import utcnow
from ombuds.errors import Conflict, InvalidInput
from ombuds.events import record_event
from ombuds.promises import actions
from ombuds.promises.models import Promise, PromiseDraft, PromiseDraftComment
from ombuds.promises.preflight import Preflight, to_data

#: The longest comment kept.
COMMENT_LIMIT = 5000


def save_draft(session: Session, *, brand: Brand, found: Preflight, actor: User | None) -> PromiseDraft:
    """Keep a checked claim and its preflight so care can comment before anyone registers it."""
    draft = PromiseDraft(
        brand_id=brand.id,
        text=found.text,
        weeks=found.weeks,
        result=to_data(found),
        checked_at=found.end,
        created_by_id=actor.id if actor else None,
    )
    session.add(draft)
    session.flush()
    record_event(
        session,
        brand_id=brand.id,
        kind="promise_draft.saved",
        subject_type="promise_draft",
        subject_id=draft.id,
        actor_id=actor.id if actor else None,
        data={"text": draft.text, "weeks": draft.weeks},
    )
    return draft


def store_preflight(session: Session, *, draft: PromiseDraft, found: Preflight) -> PromiseDraft:
    """Replace the draft's preflight with a fresh one (same claim, the weeks up to now)."""
    if found.text != draft.text:
        raise InvalidInput("the preflight is of another claim than the draft's")
    draft.weeks = found.weeks
    draft.result = to_data(found)
    draft.checked_at = found.end
    session.flush()
    return draft


def comment_on_draft(session: Session, *, draft: PromiseDraft, actor: User, text: str) -> PromiseDraftComment:
    """What someone on the desk says about the claim (a care lead: "we still lose bags at JFK")."""
    words = text.strip()
    if not words:
        raise InvalidInput("comment: say something about the claim")
    if len(words) > COMMENT_LIMIT:
        raise InvalidInput(f"comment: {COMMENT_LIMIT} characters at most")
    if draft.promise_id is not None:
        raise Conflict("the claim is registered as a promise already; comment on the promise's cases instead")
    comment = PromiseDraftComment(brand_id=draft.brand_id, draft_id=draft.id, author_id=actor.id, text=words)
    session.add(comment)
    session.flush()
    record_event(
        session,
        brand_id=draft.brand_id,
        kind="promise_draft.commented",
        subject_type="promise_draft",
        subject_id=draft.id,
        actor_id=actor.id,
        data={"comment_id": comment.id},
    )
    return comment


def register_draft(session: Session, *, draft: PromiseDraft, brand: Brand, key: str, actor: User) -> Promise:
    """Make the draft a promise (``actions.create_promise``); mentions are matched to it from then on."""
    if draft.promise_id is not None:
        raise Conflict("the claim is registered as a promise already")
    promise = actions.create_promise(session, brand=brand, key=key, text=draft.text, actor=actor)
    draft.promise_id = promise.id
    draft.registered_at = utcnow()
    record_event(
        session,
        brand_id=draft.brand_id,
        kind="promise_draft.registered",
        subject_type="promise_draft",
        subject_id=draft.id,
        actor_id=actor.id,
        data={"promise_id": promise.id},
    )
    session.flush()
    return promise
