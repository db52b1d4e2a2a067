"""Search over JSON: cases, messages and customers of one brand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ombuds.fields import WholeNumber
from ombuds.routing.queries import brand_timezone
from ombuds.search import queries
from ombuds.search.query import MAX_QUERY_CHARS, parse_query
from ombuds.search.schemas import SearchResults
from ombuds.web.deps import ApiReader, DbSession

router = APIRouter(prefix="/search", tags=["search"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "A brand the caller may not see."},
    422: {"description": "A query that cannot be searched; the detail says what was wrong."},
}


@router.get("", response_model=SearchResults, response_model_exclude_none=True, responses=_ERRORS)
def search(
    scope: ApiReader,
    session: DbSession,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_CHARS * 20,  # longer is refused below with a message in words
            description=(
                'Words (all must match), "exact phrases", and filters: from:handle, category:, team:, '
                "status:, after:/before: dates (YYYY-MM-DD) or date:2026-11-01..2026-11-30."
            ),
        ),
    ],
    brand: Annotated[
        str | None, Query(description="Slug of the brand to search; defaults to the caller's.")
    ] = None,
    limit: Annotated[WholeNumber, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    """Cases, messages and customers that match, exact phrases first, then by rank, with snippets.

    ``highlights`` are the offsets of the searched words in ``snippet``.
    """
    chosen = scope.brand_by_slug(brand)
    return queries.search(
        session,
        parse_query(q, timezone=brand_timezone(session, chosen.id)),
        brand_id=chosen.id,
        limit=limit,
        mask_pii=scope.masks_personal_data(session, brand_id=chosen.id),
    )
