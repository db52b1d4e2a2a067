"""The only writers of resolutions: the brand's catalogue, a resolution asked for on a case, and a
manager's decision. Every step on a case is an event on its timeline with amount, currency, reason
and actor; none commits (the edge owns the transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.accounts.queries import get_role
from ombuds.accounts.values import Role
from ombuds.cases.models import Case
from ombuds.errors import Conflict, Forbidden, InvalidInput
from ombuds.event_payloads import (
    EventKind,
    ResolutionApplied,
    ResolutionApproved,
    ResolutionDeclined,
    ResolutionEvent,
    ResolutionRequested,
)
from ombuds.events import record_event
from ombuds.responses.resolutions.limits import (
    APPROVING_ROLES,
    Outcome,
    approval_problem,
    decide,
    dump_limits,
    parse_limits,
)
from ombuds.responses.resolutions.models import CaseResolution, ResolutionOption
from ombuds.responses.resolutions.values import ResolutionKind, ResolutionStatus


@dataclass(frozen=True, slots=True)
class Requester:
    """Who acts and with which role in the brand; a token made for nobody acts with an agent's rights."""

    user: User | None
    role: Role | None
    api_token_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


def requester_for(
    session: Session, *, user: User | None, api_token_id: int | None, brand_id: int
) -> Requester:
    """The actor with their role in ``brand_id``; ``None`` role for someone outside it."""
    if user is None:
        return Requester(user=None, role=Role.AGENT, api_token_id=api_token_id)
    return Requester(
        user=user, role=get_role(session, user=user, brand_id=brand_id), api_token_id=api_token_id
    )


# --- the catalogue --------------------------------------------------------------------------------


def _ensure_manages(requester: Requester) -> None:
    if requester.role not in APPROVING_ROLES:
        raise Forbidden("managing the resolution catalogue takes the manager or admin role")


def save_option(
    session: Session,
    *,
    brand_id: int,
    requester: Requester,
    now: datetime,
    option: ResolutionOption | None = None,
    kind: ResolutionKind | None = None,
    label: str | None = None,
    currency: str | None = None,
    limits: dict[str, Any] | None = None,
    is_active: bool | None = None,
) -> ResolutionOption:
    """Add an option to the brand's catalogue (``option=None``) or change the given fields of one."""
    _ensure_manages(requester)
    if option is None:
        if kind is None or label is None or currency is None:
            raise InvalidInput("a new option needs a kind, a label and a currency")
        option = ResolutionOption(
            brand_id=brand_id, kind=kind, label=label, currency=currency, created_at=now
        )
        session.add(option)
    if label is not None:
        option.label = label
    if currency is not None:
        option.currency = currency
    if limits is not None:
        try:
            option.limits = dump_limits(parse_limits(limits))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    elif option.limits is None:
        option.limits = {}
    if is_active is not None:
        option.is_active = is_active
    session.flush()
    record_event(
        session,
        brand_id=brand_id,
        kind=EventKind.RESOLUTION_OPTION_SAVED,
        subject_type="resolution_option",
        subject_id=option.id,
        actor_id=requester.user_id,
        data={
            "label": option.label,
            "kind": option.kind.value,
            "currency": option.currency,
            "limits": option.limits,
            "is_active": option.is_active,
        },
        occurred_at=now,
    )
    return option


# --- on a case ------------------------------------------------------------------------------------


def _payload_fields(
    resolution: CaseResolution, option: ResolutionOption, requester: Requester
) -> dict[str, Any]:
    return {
        "resolution_id": resolution.id,
        "option_id": option.id,
        "label": option.label,
        "amount": str(resolution.amount),
        "currency": resolution.currency,
        "reason": resolution.reason,
        "api_token_id": requester.api_token_id,
    }


def _record(
    session: Session, case: Case, payload: ResolutionEvent, requester: Requester, now: datetime
) -> None:
    record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=payload,
        actor_id=requester.user_id,
        occurred_at=now,
    )


def request_resolution(
    session: Session,
    *,
    case: Case,
    option: ResolutionOption,
    amount: Decimal,
    currency: str | None,
    reason: str,
    requester: Requester,
    now: datetime,
) -> CaseResolution:
    """Give a resolution on the case: at once within the requester's limit, else it waits for a manager."""
    if option.brand_id != case.brand_id:
        raise InvalidInput(f"option_id: no option {option.id} in this case's brand")
    if currency is not None and currency != option.currency:
        raise InvalidInput(f"currency: {option.label} is given in {option.currency}, not {currency}")
    if not reason.strip():
        raise InvalidInput("reason: say why (it was empty)")
    decision = decide(
        limits=parse_limits(option.limits), role=requester.role, amount=amount, is_active=option.is_active
    )
    applied = decision.outcome is Outcome.APPLY
    resolution = CaseResolution(
        brand_id=case.brand_id,
        case_id=case.id,
        option_id=option.id,
        amount=amount,
        currency=option.currency,
        reason=reason.strip(),
        status=ResolutionStatus.APPLIED if applied else ResolutionStatus.AWAITING_APPROVAL,
        requested_by_id=requester.user_id,
        requested_by_token_id=requester.api_token_id,
        created_at=now,
    )
    session.add(resolution)
    session.flush()
    fields = _payload_fields(resolution, option, requester)
    payload: ResolutionEvent = (
        ResolutionApplied(**fields) if applied else ResolutionRequested(**fields, why=decision.why)
    )
    _record(session, case, payload, requester, now)
    case.last_activity_at = now
    return resolution


def decide_resolution(
    session: Session,
    *,
    resolution: CaseResolution,
    approve: bool,
    note: str,
    requester: Requester,
    now: datetime,
) -> CaseResolution:
    """A manager approves (it is given) or declines (with a note the agent reads) a waiting request.

    Deciding one that is no longer waiting is a ``Conflict``; of two managers deciding at the same
    moment, the conditional update lets exactly one win.
    """
    option = session.get(ResolutionOption, resolution.option_id)
    case = session.get(Case, resolution.case_id)
    assert option is not None
    assert case is not None
    note = note.strip()
    if not approve and not note:
        raise InvalidInput("note: say why it is declined; the agent reads it on the case")
    problem = approval_problem(
        limits=parse_limits(option.limits),
        role=requester.role,
        amount=resolution.amount,
        is_own_request=requester.user_id is not None and requester.user_id == resolution.requested_by_id,
    )
    if problem is not None:
        raise Forbidden(problem)
    status = ResolutionStatus.APPLIED if approve else ResolutionStatus.DECLINED
    changed = session.execute(
        update(CaseResolution)
        .where(
            CaseResolution.id == resolution.id, CaseResolution.status == ResolutionStatus.AWAITING_APPROVAL
        )
        .values(status=status, decided_by_id=requester.user_id, decided_at=now, decision_note=note or None)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(resolution)
    if changed != 1:
        raise Conflict(f"resolution {resolution.id} was already decided: it is {resolution.status.value}")
    fields = _payload_fields(resolution, option, requester) | {"note": note or None}
    payload: ResolutionEvent = ResolutionApproved(**fields) if approve else ResolutionDeclined(**fields)
    _record(session, case, payload, requester, now)
    case.last_activity_at = now
    return resolution
