"""Customers over JSON: the profile, and merging two records of one person or two cases (and undoing it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.cases import queries as case_queries
from ombuds.cases.models import Case, Customer
from ombuds.cases.schemas import CaseDetailRead
from ombuds.customers import actions, queries
from ombuds.customers.schemas import CaseMerge, CustomerMerge, CustomerProfileRead
from ombuds.events import Event
from ombuds.fields import Id
from ombuds.web.deps import ApiReader, ApiScope, DbSession

#: Two collections (customers, and the merge of cases beside it), so the paths are written out.
router = APIRouter(tags=["customers"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    307: {"description": "The customer was merged into another; `Location` names it."},
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "A viewer, or a session request without its X-CSRF-Token header."},
    404: {"description": "No such customer among the brands the caller may see."},
    409: {"description": "The two belong to different brands, or the merge was undone already."},
}


def _customer(session: Session, customer_id: int, scope: ApiScope) -> Customer:
    customer = queries.get_customer(session, customer_id, brand_ids=scope.brand_ids)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no customer {customer_id}")
    return customer


@router.get("/customers/{customer_id}", response_model=CustomerProfileRead, responses=_ERRORS)
def get_customer(
    customer_id: Id, scope: ApiReader, session: DbSession, request: Request
) -> Response | CustomerProfileRead:
    """The customer: identities on every channel, cases (newest first), messages, surveys and notes.

    A customer merged into another answers 307 to the one it became part of.
    """
    customer = queries.get_customer(session, customer_id, brand_ids=scope.brand_ids)
    if customer is None:
        kept = queries.merged_into(session, customer_id, brand_ids=scope.brand_ids)
        if kept is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no customer {customer_id}")
        return RedirectResponse(
            str(request.url_for("get_customer", customer_id=kept)), status.HTTP_307_TEMPORARY_REDIRECT
        )
    return queries.get_customer_profile(session, customer)


@router.post("/customers/{customer_id}/merge", response_model=CustomerProfileRead, responses=_ERRORS)
def merge(customer_id: Id, body: CustomerMerge, scope: ApiReader, session: DbSession) -> CustomerProfileRead:
    """Fold customer ``other_id`` into this one: its identities, cases and messages move here.

    The other id then answers 307 to this customer. Customers of two brands are never merged (409).
    Undo with ``POST /customers/{id}/merges/{event_id}/undo`` (``merges`` lists the event ids).
    """
    kept = _customer(session, customer_id, scope)
    other = _customer(session, body.other_id, scope)
    actor = scope.actor(session)
    actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
    actions.merge_customers(session, kept=kept, other=other, actor=actor)
    return queries.get_customer_profile(session, kept)


@router.post(
    "/customers/{customer_id}/merges/{event_id}/undo", response_model=CustomerProfileRead, responses=_ERRORS
)
def unmerge(customer_id: Id, event_id: Id, scope: ApiReader, session: DbSession) -> CustomerProfileRead:
    """Undo a merge from the event log: answers the customer that is separate again."""
    kept = _customer(session, customer_id, scope)
    merge_event = session.get(Event, event_id)
    if merge_event is None or merge_event.subject_type != "customer" or merge_event.subject_id != kept.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {kept.id} has no merge {event_id}")
    actor = scope.actor(session)
    actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
    other = actions.unmerge_customers(session, merge=merge_event, actor=actor)
    return queries.get_customer_profile(session, other)


# --- cases ----------------------------------------------------------------------------------------

_CASE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "A viewer, or a session request without its X-CSRF-Token header."},
    404: {"description": "No such case among the brands the caller may see."},
    409: {"description": "Cases of two brands, an open task on the other case, or a merge undone already."},
}


def _case(session: Session, case_id: int, scope: ApiScope) -> Case:
    case = case_queries.get_case(session, case_id, brand_ids=scope.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no case {case_id}")
    return case


def _detail(session: Session, case: Case, scope: ApiScope) -> CaseDetailRead:
    detail = case_queries.get_case_detail(
        session,
        case.id,
        brand_ids=scope.brand_ids,
        mask_pii=scope.masks_personal_data(session, brand_id=case.brand_id),
    )
    assert detail is not None  # found a moment ago in the same transaction
    return detail


@router.post("/cases/{case_id}/merge", tags=["cases"], response_model=CaseDetailRead, responses=_CASE_ERRORS)
def merge_case(case_id: Id, body: CaseMerge, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """Fold case ``other_id`` into this one: its messages and history move here, and it is resolved
    as a duplicate with a note. Undo with ``POST /cases/{id}/merges/{event_id}/undo``."""
    kept = _case(session, case_id, scope)
    other = _case(session, body.other_id, scope)
    actor = scope.actor(session)
    actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
    actions.merge_cases(session, kept=kept, other=other, actor=actor)
    return _detail(session, kept, scope)


@router.post(
    "/cases/{case_id}/merges/{event_id}/undo",
    tags=["cases"],
    response_model=CaseDetailRead,
    responses=_CASE_ERRORS,
)
def unmerge_case(case_id: Id, event_id: Id, scope: ApiReader, session: DbSession) -> CaseDetailRead:
    """Undo a case merge from the event log: answers the case that is separate (and open) again."""
    kept = _case(session, case_id, scope)
    merge_event = session.get(Event, event_id)
    if merge_event is None or merge_event.subject_type != "case" or merge_event.subject_id != kept.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"case {kept.id} has no merge {event_id}")
    actor = scope.actor(session)
    actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
    other = actions.unmerge_cases(session, merge=merge_event, actor=actor)
    return _detail(session, other, scope)
