"""The customer page (every channel, case and message of one person) and the merge forms on it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.cases import queries as case_queries
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import Customer
from ombuds.cases.workflow import may_work
from ombuds.customers import actions, queries
from ombuds.errors import OmbudsError
from ombuds.events import Event
from ombuds.fields import Id
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()


def _customer_or_404(session: Session, customer_id: int, signed_in: SignedIn) -> Customer:
    customer = queries.get_customer(session, customer_id, brand_ids=signed_in.brand_ids)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no customer {customer_id}")
    return customer


def _back(customer_id: int) -> Response:
    return RedirectResponse(f"/customers/{customer_id}", status.HTTP_303_SEE_OTHER)


def _refused(request: Request, session: Session, customer_id: int, error: OmbudsError) -> Response:
    """A merge that cannot be made goes back to the page with the reason; nothing of it is kept."""
    session.rollback()
    message = str(error)
    flash(request, message[:1].upper() + message[1:] + ".", "error")
    return _back(customer_id)


@router.get("/customers/{customer_id}")
def customer_page(customer_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """One customer: identities on every channel, every case and message in order, surveys, notes."""
    customer = queries.get_customer(session, customer_id, brand_ids=signed_in.brand_ids)
    if customer is None:
        kept = queries.merged_into(session, customer_id, brand_ids=signed_in.brand_ids)
        if kept is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no customer {customer_id}")
        return RedirectResponse(f"/customers/{kept}", status.HTTP_307_TEMPORARY_REDIRECT)
    profile = queries.get_customer_profile(session, customer)
    context = {
        "customer": profile,
        "can_work": may_work(signed_in.roles.get(customer.brand_id)),
        "case_merges": queries.undoable_case_merges(session, case_ids=profile.case_ids),
        "lookalikes": queries.lookalikes(
            session, customer, [(identity.channel, identity.handle) for identity in profile.identities]
        ),
    }
    return render(request, "customers/profile.html", context, signed_in=signed_in)


@router.post("/customers/{customer_id}/merge")
def merge_customer(
    customer_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    other_id: Annotated[Id, Form()],
) -> Response:
    """Fold another customer record of the same person into this one."""
    kept = _customer_or_404(session, customer_id, signed_in)
    other = _customer_or_404(session, other_id, signed_in)
    actor = Actor(signed_in.user)
    try:
        actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
        actions.merge_customers(session, kept=kept, other=other, actor=actor)
    except OmbudsError as error:
        return _refused(request, session, kept.id, error)
    flash(
        request,
        f"Customer {other_id} is now part of this customer; undo it below if it was a mistake.",
        "success",
    )
    return _back(kept.id)


@router.post("/customers/{customer_id}/merges/{event_id}/undo")
def unmerge_customer(
    customer_id: Id, event_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    """Undo a merge: the other customer is separate again."""
    kept = _customer_or_404(session, customer_id, signed_in)
    merge_event = session.get(Event, event_id)
    if merge_event is None or merge_event.subject_type != "customer" or merge_event.subject_id != kept.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {kept.id} has no merge {event_id}")
    actor = Actor(signed_in.user)
    try:
        actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
        other = actions.unmerge_customers(session, merge=merge_event, actor=actor)
    except OmbudsError as error:
        return _refused(request, session, kept.id, error)
    flash(request, f"Customer {other.id} is separate again.", "success")
    return _back(kept.id)


@router.post("/customers/{customer_id}/case-merges")
def merge_cases(
    customer_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    kept_id: Annotated[Id, Form()],
    other_id: Annotated[Id, Form()],
) -> Response:
    """Fold one case of the customer into another: one conversation, one owner."""
    customer = _customer_or_404(session, customer_id, signed_in)
    kept = case_queries.get_case(session, kept_id, brand_ids=signed_in.brand_ids)
    other = case_queries.get_case(session, other_id, brand_ids=signed_in.brand_ids)
    if kept is None or other is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"there is no case {other_id if kept else kept_id}")
    actor = Actor(signed_in.user)
    try:
        actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
        actions.merge_cases(session, kept=kept, other=other, actor=actor)
    except OmbudsError as error:
        return _refused(request, session, customer.id, error)
    flash(request, f"Case #{other_id} is now part of case #{kept_id}.", "success")
    return _back(customer.id)


@router.post("/customers/{customer_id}/case-merges/{event_id}/undo")
def unmerge_cases(
    customer_id: Id, event_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    """Undo a case merge: the other case has its messages back and is open again."""
    customer = _customer_or_404(session, customer_id, signed_in)
    merge_event = session.get(Event, event_id)
    kept = (
        case_queries.get_case(session, merge_event.subject_id, brand_ids=signed_in.brand_ids)
        if merge_event is not None and merge_event.subject_type == "case"
        else None
    )
    if merge_event is None or kept is None or kept.customer_id != customer.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {customer.id} has no case merge {event_id}")
    actor = Actor(signed_in.user)
    try:
        actions.ensure_may_merge(session, brand_id=kept.brand_id, actor=actor)
        other = actions.unmerge_cases(session, merge=merge_event, actor=actor)
    except OmbudsError as error:
        return _refused(request, session, customer.id, error)
    flash(request, f"Case #{other.id} is separate and open again.", "success")
    return _back(customer.id)
