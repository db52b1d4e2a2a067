"""The pipeline's promise step, part of the ``detect`` stage: called with a batch's mentions per brand."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from ombuds.mentions.models import Mention
from ombuds.promises.actions import match_mentions


def match(session: Session, *, brand_id: int, mentions: Sequence[Mention]) -> None:
    """Match the mentions to the brand's promises (stance, evidence, score, model version).

    Reads the mentions' sentiment, reach and duplicates enrichment rows when present; safe to
    run again on the same mentions (automatic matches are replaced, reviewed ones kept).
    """
    match_mentions(session, brand_id=brand_id, mentions=mentions)
