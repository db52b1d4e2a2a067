"""An agent's correction: the label is stored as an example, shown at once, and the brand's model learns.

The next similar message is predicted the new way: at once for a brand with up to
``INLINE_RETRAIN_EXAMPLES`` examples, else in the background (``retraining.retrain_stale_models``,
after each round of ``ombuds serve``'s runner), so an agent never waits for training.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.enrichment.actions import CORRECTION, show_correction
from ombuds.enrichment.learnable import check_label
from ombuds.enrichment.models import LabeledExample
from ombuds.enrichment.retraining import example_state, retrain_brand_model
from ombuds.errors import NotFound
from ombuds.event_payloads import EnrichmentCorrected
from ombuds.events import record_event
from ombuds.mentions.models import Mention

#: Up to this many examples a correction retrains at once (a second or so); beyond, the background
#: runner retrains (``retrain_stale_models``), so an agent never waits a minute for a click.
INLINE_RETRAIN_EXAMPLES = 1000


def record_correction(
    session: Session,
    *,
    mention_id: int,
    brand_id: int,
    analyzer: str,
    label: str,
    actor_id: int | None,
    retrain: bool = True,
) -> LabeledExample:
    """Store a person's label for a mention, show it on the mention, and (by default) retrain."""
    label = check_label(analyzer, label)
    mention = session.get(Mention, mention_id)
    if mention is None or mention.brand_id != brand_id:
        raise NotFound(f"mention {mention_id} not found")
    earlier = session.scalar(
        select(LabeledExample).where(
            LabeledExample.brand_id == brand_id,
            LabeledExample.analyzer == analyzer,
            LabeledExample.mention_id == mention_id,
            LabeledExample.origin == CORRECTION,
        )
    )
    if earlier is not None:
        session.delete(earlier)  # a fresh row (a new id) tells the background retrainer something changed
    example = LabeledExample(
        brand_id=brand_id,
        analyzer=analyzer,
        mention_id=mention_id,
        text=mention.text,
        origin=CORRECTION,
        label=label,
        actor_id=actor_id,
    )
    session.add(example)
    previous = show_correction(session, mention=mention, analyzer=analyzer, label=label, actor_id=actor_id)
    record_event(
        session,
        brand_id=brand_id,
        payload=EnrichmentCorrected(analyzer=analyzer, label=label, previous=previous),
        subject_type="mention",
        subject_id=mention_id,
        actor_id=actor_id,
    )
    session.flush()
    if retrain and example_state(session, brand_id, analyzer)[0] <= INLINE_RETRAIN_EXAMPLES:
        retrain_brand_model(session, brand_id=brand_id, analyzer=analyzer)
    return example
