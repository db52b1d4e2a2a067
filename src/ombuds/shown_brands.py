"""Which brands' rows an answer shows, noted by the reads that fetch them on the request's session.

Personal data is masked by the caller's role in the brand whose data is shown (``web/masking.py``).
A page that opens a case or an incident by id may show another brand than the one selected, so
the reads that pick a brand's rows note it here; an answer whose reads noted nothing is held to
the strictest of the caller's roles. Noting is all this does: access is checked by the reads' own
``brand_ids`` filters.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

_KEY = "ombuds.shown_brands"


def shown_brands(session: Session) -> set[int]:
    """The brands noted on this session so far (the same set, which later reads add to)."""
    found: set[int] = session.info.setdefault(_KEY, set())
    return found


def note_shown(session: Session, brand_ids: Iterable[int]) -> None:
    """Note that the answer being made shows rows of these brands."""
    shown_brands(session).update(brand_ids)
