"""The search page, and the search the inbox narrows its cases by (``/inbox?q=``)."""

from __future__ import annotations

from collections.abc import Collection

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ombuds.cases.workflow import may_see_personal_data
from ombuds.routing.queries import brand_timezone
from ombuds.search import queries, snippets
from ombuds.search.query import QueryError, parse_query
from ombuds.search.schemas import SearchResultRead, SearchResults
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import render

router = APIRouter()
PAGE_RESULTS = 50


def _pieces(hit: SearchResultRead) -> list[snippets.Piece]:
    return snippets.pieces(hit.snippet, hit.highlights)


@router.get("/search")
def search_page(request: Request, signed_in: CurrentUser, session: DbSession, q: str = "") -> Response:
    """Cases, messages and customers of the selected brand that match, with the words marked."""
    found: SearchResults | None = None
    problem = None
    brand = signed_in.brand
    if q.strip() and brand is not None:
        try:
            found = queries.search(
                session,
                parse_query(q, timezone=signed_in.timezone),
                brand_id=brand.id,
                limit=PAGE_RESULTS,
                mask_pii=not may_see_personal_data(signed_in.role),
            )
        except QueryError as exc:
            problem = str(exc)
    shown = queries.without_repeats(found.results) if found else []
    places = queries.hit_places(session, shown, brand_id=brand.id) if brand else {}
    context = {
        "q": q,
        "found": found,
        "shown": shown,
        "places": places,
        "problem": problem,
        "pieces": _pieces,
    }
    return render(
        request, "search/results.html", context, signed_in=signed_in, status_code=422 if problem else 200
    )


def inbox_search(session: Session, brand_id: int, text: str, mask_pii: bool) -> Collection[int]:
    """The brand's case ids a search finds, for the inbox's search box."""
    found = parse_query(text, timezone=brand_timezone(session, brand_id))
    return queries.matching_case_ids(session, found, brand_id=brand_id, mask_pii=mask_pii)


panels.register_search(inbox_search)
