"""Resolutions in the browser: the panel on the case page, its form, and the managers' queue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.cases.models import Case
from ombuds.cases.queries import get_case
from ombuds.clock import utcnow
from ombuds.errors import OmbudsError
from ombuds.fields import AsTyped, Id, NoNul, parse_id
from ombuds.responses.resolutions import actions, queries
from ombuds.responses.resolutions.limits import APPROVING_ROLES, check_amount, describe_limit, parse_limits
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()


def case_panel(session: Session, case: Case, signed_in: SignedIn) -> dict[str, Any]:
    """What the case page's resolutions panel shows: the options with the user's limit, and the case's."""
    requester = actions.requester_for(session, user=signed_in.user, api_token_id=None, brand_id=case.brand_id)
    options = [
        {"option": option, "limit": describe_limit(parse_limits(option.limits), requester.role)}
        for option in queries.list_options(session, brand_id=case.brand_id)
    ]
    return {
        "resolution_options": options,
        "case_resolutions": queries.list_case_resolutions(session, case=case),
        "may_give_resolutions": requester.role is not None and requester.role.value != "viewer",
        "may_decide_resolutions": requester.role in APPROVING_ROLES,
    }


panels.register("case", "resolutions", case_panel)


def _say(request: Request, session: Session, error: OmbudsError | ValueError) -> None:
    session.rollback()
    text = str(error)
    flash(request, text[:1].upper() + text[1:] + ".", "error")


@router.post("/cases/{case_id}/resolutions")
def give(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    option_id: Annotated[str, Form(max_length=20)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000), NoNul] = "",
) -> Response:
    """Give a resolution from the case page; above the user's limit it waits for a manager."""
    case = get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    back = RedirectResponse(f"/cases/{case.id}#resolutions", status_code=303)
    chosen = parse_id(option_id)
    option = queries.get_option(session, chosen, brand_ids=[case.brand_id]) if chosen is not None else None
    try:
        if option is None:
            raise ValueError("choose one of the options offered")
        try:
            value = check_amount(Decimal(amount.strip() or "0"))
        except InvalidOperation:
            raise ValueError(f"amount: {amount!r} is not a number") from None
        resolution = actions.request_resolution(
            session,
            case=case,
            option=option,
            amount=value,
            currency=None,
            reason=reason,
            requester=actions.requester_for(
                session, user=signed_in.user, api_token_id=None, brand_id=case.brand_id
            ),
            now=utcnow(),
        )
    except (OmbudsError, ValueError) as error:
        _say(request, session, error)
        return back
    if resolution.status.value == "applied":
        flash(request, f"{option.label}: {resolution.amount} {resolution.currency} given.", "success")
    else:
        flash(
            request, f"{option.label}: {resolution.amount} {resolution.currency} waits for a manager.", "info"
        )
    return back


@router.get("/resolutions")
def queue(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The requests above someone's limit, waiting for a manager of the selected brand."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    return render(
        request,
        "resolutions/queue.html",
        {
            "awaiting": queries.list_awaiting(session, brand_id=brand.id),
            "may_decide": signed_in.role in APPROVING_ROLES,
        },
        signed_in=signed_in,
    )


@router.post("/resolutions/{resolution_id}/{decision}")
def decide(
    resolution_id: Id,
    decision: str,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    note: Annotated[str, AsTyped, Form(max_length=2000), NoNul] = "",
) -> Response:
    """Approve or decline a waiting request from the queue."""
    if decision not in ("approve", "decline"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    resolution = queries.get_resolution(session, resolution_id, brand_ids=signed_in.brand_ids)
    if resolution is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    back = RedirectResponse("/resolutions", status_code=303)
    try:
        actions.decide_resolution(
            session,
            resolution=resolution,
            approve=decision == "approve",
            note=note,
            requester=actions.requester_for(
                session, user=signed_in.user, api_token_id=None, brand_id=resolution.brand_id
            ),
            now=utcnow(),
        )
    except OmbudsError as error:
        _say(request, session, error)
        return back
    flash(
        request,
        f"Resolution {resolution.id} {'approved' if decision == 'approve' else 'declined'}.",
        "success",
    )
    return back
