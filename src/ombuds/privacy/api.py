"""Privacy over JSON: erase one customer (admins), export one customer's data (admins, managers),
and the record of erasures done."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.errors import Forbidden
from ombuds.fields import Id
from ombuds.privacy import actions, queries
from ombuds.privacy.access import MAY_ERASE, MAY_EXPORT
from ombuds.privacy.schemas import ErasureRecordRead
from ombuds.web.deps import ApiReader, ApiScope, DbSession

router = APIRouter(tags=["privacy"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {
        "description": "Not allowed for this role, a token that acts for nobody, or a missing X-CSRF-Token."
    },
    404: {"description": "No such customer among the brands the caller may see (or erased already)."},
}


def _require_role(
    session: Session, scope: ApiScope, *, brand_id: int, roles: Collection[Role], doing: str
) -> None:
    person = scope.person(session)
    role = get_role(session, user=person, brand_id=brand_id) if person is not None else None
    if role not in roles:
        names = " or ".join(sorted(r.value for r in roles))
        raise Forbidden(f"only a brand's {names} may {doing}")


@router.post("/customers/{customer_id}/erase", response_model=ErasureRecordRead, responses=_ERRORS)
def erase(customer_id: Id, scope: ApiReader, session: DbSession) -> ErasureRecordRead:
    """Erase the customer: identities, messages, cases with their replies, surveys and notes.

    What stays is the erasure record (who, when, counts). Erasing again answers 404.
    """
    customer = queries.get_customer_or_raise(session, customer_id, brand_ids=scope.brand_ids)
    _require_role(session, scope, brand_id=customer.brand_id, roles=MAY_ERASE, doing="erase a customer")
    person = scope.person(session)
    assert person is not None  # _require_role found their role
    record = actions.erase_customer(session, customer=customer, actor_id=person.id, actor=person.email)
    return ErasureRecordRead.model_validate(record)


@router.get("/customers/{customer_id}/export", responses=_ERRORS)
def export(customer_id: Id, scope: ApiReader, session: DbSession) -> dict[str, Any]:
    """Everything stored about the customer as JSON: identities, cases, messages, replies, surveys, events."""
    customer = queries.get_customer_or_raise(session, customer_id, brand_ids=scope.brand_ids)
    _require_role(
        session, scope, brand_id=customer.brand_id, roles=MAY_EXPORT, doing="export a customer's data"
    )
    return queries.export_customer(session, customer)


@router.get("/privacy/erasures", response_model=list[ErasureRecordRead], responses=_ERRORS)
def erasures(scope: ApiReader, session: DbSession) -> list[ErasureRecordRead]:
    """The erasures done in the brands where the caller is an admin, newest first."""
    person = scope.person(session)
    brand_ids = [
        brand_id
        for brand_id in scope.brand_ids
        if person is not None and get_role(session, user=person, brand_id=brand_id) in MAY_ERASE
    ]
    if not brand_ids:
        raise Forbidden("only a brand's admin may see its erasures")
    return [ErasureRecordRead.model_validate(r) for r in queries.list_erasures(session, brand_ids)]
