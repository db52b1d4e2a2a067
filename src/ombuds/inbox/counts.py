"""How many open cases each saved view holds: its query read as the inbox reads it.

The inbox's narrowings (SLA, replies to post by hand) and search box come from other packages
(through ``web.panels``); the caller hands them in, so this stays below the web.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.cases import queries
from ombuds.errors import InvalidInput
from ombuds.inbox.models import SavedView
from ombuds.inbox.schemas import SavedViewRead
from ombuds.inbox.values import InboxFilter, parse_filter

#: The brand's case ids that pass every narrowing named (``"sla:at_risk"``), or None for no narrowing.
Narrowed = Callable[[Session, int, list[str]], Collection[int] | None]
#: The case ids of the brand a search finds.
Search = Callable[[Session, int, str], Collection[int]]


def count_open(
    session: Session,
    *,
    brand_id: int,
    brand_slug: str,
    user: User,
    flt: InboxFilter,
    narrowed: Narrowed,
    search: Search | None,
) -> int:
    """Open cases of the brand that ``flt`` lets through, as the inbox would list them."""
    picked = narrowed(session, brand_id, flt.narrowings())
    only = set(picked) if picked is not None else None
    if flt.q and search is not None:
        try:
            found = set(search(session, brand_id, flt.q))
        except InvalidInput:  # a search that cannot run finds nothing here; the inbox says why
            found = set()
        only = found if only is None else only & found
    listed = queries.list_open_cases(
        session,
        brand_id=brand_id,
        brand_slug=brand_slug,
        status=flt.status,
        team_id=flt.team_id,
        without_team=flt.without_team,
        assignee_id=user.id if flt.assignee_me else None,
        without_assignee=flt.without_assignee,
        only_case_ids=only,
        priority=flt.priority,
        limit=0,
    )
    return listed.total


def view_reads(
    session: Session,
    *,
    brand_id: int,
    brand_slug: str,
    user: User,
    views: Sequence[SavedView],
    narrowed: Narrowed,
    search: Search | None,
) -> list[SavedViewRead]:
    """Each view with its inbox address and how many open cases it holds now."""
    return [
        SavedViewRead(
            id=view.id,
            name=view.name,
            query=view.query,
            team_id=view.team_id,
            shared=view.team_id is not None,
            url=f"/inbox?{view.query}&view={view.id}" if view.query else f"/inbox?view={view.id}",
            count=count_open(
                session,
                brand_id=brand_id,
                brand_slug=brand_slug,
                user=user,
                flt=parse_filter(view.query),
                narrowed=narrowed,
                search=search,
            ),
        )
        for view in views
    ]
