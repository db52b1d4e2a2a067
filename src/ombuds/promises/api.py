"""The promise scorecard over JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ombuds.promises.schemas import (
    AlignmentRead,
    PromiseCardRead,
    PromiseRead,
    ScorecardRead,
    WindowRead,
)
from ombuds.promises.scorecard import scorecard
from ombuds.promises.scoring import Alignment
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(prefix="/promises", tags=["promises"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "No such brand among the brands the caller may see."},
}


def _alignment(found: Alignment) -> AlignmentRead:
    return AlignmentRead(
        score=found.score, low=found.low, high=found.high, voices=found.voices, messages=found.messages
    )


@router.get("/scorecard", response_model=ScorecardRead, responses=_ERRORS)
def read_scorecard(
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's.")] = None,
) -> ScorecardRead:
    """Every promise of the brand with its alignment, interval, weekly trend, volume and alerts."""
    found = scope.brand_by_slug(brand)
    return ScorecardRead(
        brand=found.slug,
        promises=[
            PromiseCardRead(
                promise=PromiseRead.model_validate(card.promise),
                alignment=_alignment(card.overall),
                trend=[
                    WindowRead(starts_at=w.starts_at, ends_at=w.ends_at, alignment=_alignment(w.alignment))
                    for w in card.trend
                ],
                alerts=[alert.message for alert in card.alerts],
                volume=card.volume,
                contradicting=card.contradicting,
                confirming=card.confirming,
                themes=[theme for theme, _ in card.themes],
                contradicting_case_ids=[case.case_id for case in card.cases],
            )
            for card in scorecard(session, found.id)
        ],
    )
