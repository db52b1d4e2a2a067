"""Extra context for a page from packages the page's own package cannot import.

The case, inbox and incident pages belong to packages that the reply tools build on, so those
pages cannot import the reply tools back. Instead a package registers a provider for a page here
(in its ``pages.py``, which ``web/app.py`` loads), and the page's view adds what the providers
give to its template context; the page's template includes the package's partial.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Literal

from sqlalchemy.orm import Session

from ombuds.web.deps import SignedIn

#: ``case``: subject is the ``Case``; ``inbox``: the case ids listed; ``incident``: the ``Incident``.
Page = Literal["case", "inbox", "incident"]
Provider = Callable[[Session, Any, SignedIn], Mapping[str, Any]]

_PROVIDERS: dict[str, dict[str, Provider]] = {}


def register(page: Page, name: str, provider: Provider) -> None:
    """Add (or replace, by ``name``) a provider of context for ``page``."""
    _PROVIDERS.setdefault(page, {})[name] = provider


def context_for(page: Page, session: Session, subject: Any, signed_in: SignedIn) -> dict[str, Any]:
    """What every provider registered for ``page`` adds to its context."""
    found: dict[str, Any] = {}
    for provider in _PROVIDERS.get(page, {}).values():
        found.update(provider(session, subject, signed_in))
    return found


#: A narrowing of the inbox another package computes: the brand's case ids that pass it.
Narrowing = Callable[[Session, int], Collection[int]]

_NARROWINGS: dict[str, Narrowing] = {}


def register_narrowing(name: str, narrowing: Narrowing) -> None:
    """Offer the inbox a filter by ``name`` (``?sla=at_risk`` looks up ``"sla:at_risk"``)."""
    _NARROWINGS[name] = narrowing


def narrowing(name: str) -> Narrowing | None:
    return _NARROWINGS.get(name)


def narrowed(session: Session, brand_id: int, names: Iterable[str]) -> set[int] | None:
    """The brand's case ids that pass every narrowing named (``"sla:at_risk"``, ``"replies:to_post"``);
    a name nobody offers is passed over, and None means nothing narrowed."""
    only: set[int] | None = None
    for found in filter(None, map(narrowing, names)):
        picked = set(found(session, brand_id))
        only = picked if only is None else only & picked
    return only


#: The inbox's search box: the brand's case ids a typed search finds, for a caller who sees
#: personal data masked or not (the last argument). Raises ``InvalidInput`` (a ``QueryError``)
#: saying what is wrong with the search.
CaseSearch = Callable[[Session, int, str, bool], Collection[int]]

_SEARCH: list[CaseSearch] = []


def register_search(search: CaseSearch) -> None:
    """Offer the case lists (the inbox, ``GET /api/v1/cases?q=``) a search; the search package does."""
    _SEARCH[:] = [search]


def case_search(*, mask_pii: bool) -> Callable[[Session, int, str], Collection[int]] | None:
    """The search, for a caller who sees personal data masked (``mask_pii``) or not."""
    if not _SEARCH:
        return None
    search = _SEARCH[0]
    return lambda session, brand_id, text: search(session, brand_id, text, mask_pii)


#: What another package adds to ``GET /api/v1/cases/{id}`` (fields ``CaseDetailRead`` declares):
#: the case's problem, its drafted replies.
CaseDetailExtra = Callable[[Session, Any], Mapping[str, Any]]

_CASE_DETAIL: dict[str, CaseDetailExtra] = {}


def register_case_detail(name: str, extra: CaseDetailExtra) -> None:
    """Add (or replace, by ``name``) fields of a case's JSON detail, computed for the ``Case``."""
    _CASE_DETAIL[name] = extra


def case_detail_extras(session: Session, case: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for extra in _CASE_DETAIL.values():
        found.update(extra(session, case))
    return found
