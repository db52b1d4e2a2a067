"""The promise scorecard over JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from ombuds.accounts.models import Role
from ombuds.accounts.queries import get_role
from ombuds.errors import Forbidden
from ombuds.promises.preflight import preflight, preflight_read
from ombuds.promises.schemas import (
    AlignmentRead,
    PreflightCreate,
    PreflightRead,
    PromiseCardRead,
    PromiseRead,
    ScorecardRead,
    WindowRead,
)
from ombuds.promises.scorecard import scorecard
from ombuds.promises.scoring import Alignment
from ombuds.web.deps import ApiReader, ApiScope, DbSession

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


#: Who may check a draft claim: those who write the brand's promises.
PREFLIGHT_ROLES = frozenset({Role.PR, Role.MANAGER, Role.ADMIN})


def may_preflight(role: Role | None) -> bool:
    return role in PREFLIGHT_ROLES


def _checker(session: Session, scope: ApiScope, brand_id: int) -> None:
    person = scope.person(session)
    if person is None or not may_preflight(get_role(session, user=person, brand_id=brand_id)):
        raise Forbidden("checking a draft claim takes the pr, manager or admin role")


@router.post(
    "/preflight",
    response_model=PreflightRead,
    responses=_ERRORS
    | {
        403: {"description": "Checking a draft claim takes the pr, manager or admin role."},
        422: {"description": "A claim or window that cannot be used; the detail names it."},
    },
)
def run_preflight(
    body: PreflightCreate,
    scope: ApiReader,
    session: DbSession,
    brand: Annotated[str | None, Query(description="Slug of the brand; default: the caller's.")] = None,
) -> PreflightRead:
    """Hold a draft claim against the last weeks of customers' messages with the promise matcher:
    how many confirm and contradict it, its alignment and interval, and the voices. Stores nothing."""
    found = scope.brand_by_slug(brand)
    _checker(session, scope, found.id)
    return preflight_read(
        session, found.id, preflight(session, brand_id=found.id, text=body.text, weeks=body.weeks)
    )
