"""Reads of resolutions: a brand's catalogue, a case's resolutions, and the managers' queue."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.cases.models import Case
from ombuds.responses.resolutions.models import CaseResolution, ResolutionOption
from ombuds.responses.resolutions.schemas import CaseResolutionRead
from ombuds.responses.resolutions.values import ResolutionStatus
from ombuds.shown_brands import note_shown


def list_options(
    session: Session, *, brand_id: int, include_inactive: bool = False
) -> list[ResolutionOption]:
    """The brand's catalogue, by label; only the options still offered unless asked."""
    query = select(ResolutionOption).where(ResolutionOption.brand_id == brand_id)
    if not include_inactive:
        query = query.where(ResolutionOption.is_active.is_(True))
    note_shown(session, [brand_id])
    return list(session.scalars(query.order_by(ResolutionOption.label, ResolutionOption.id)))


def get_option(session: Session, option_id: int, *, brand_ids: Collection[int]) -> ResolutionOption | None:
    """The option, if it belongs to one of ``brand_ids``."""
    option = session.scalar(
        select(ResolutionOption).where(
            ResolutionOption.id == option_id, ResolutionOption.brand_id.in_(brand_ids)
        )
    )
    if option is not None:
        note_shown(session, [option.brand_id])
    return option


def get_resolution(
    session: Session, resolution_id: int, *, brand_ids: Collection[int]
) -> CaseResolution | None:
    """The resolution, if it belongs to one of ``brand_ids``; another brand's is as good as missing."""
    found = session.scalar(
        select(CaseResolution).where(
            CaseResolution.id == resolution_id, CaseResolution.brand_id.in_(brand_ids)
        )
    )
    if found is not None:
        note_shown(session, [found.brand_id])
    return found


def list_case_resolutions(session: Session, *, case: Case) -> list[CaseResolutionRead]:
    """The case's resolutions, oldest first. ``case`` must already be scoped to the caller's brands."""
    rows = session.scalars(
        select(CaseResolution)
        .where(CaseResolution.case_id == case.id, CaseResolution.brand_id == case.brand_id)
        .order_by(CaseResolution.created_at, CaseResolution.id)
    )
    return read_resolutions(session, list(rows))


def list_awaiting(session: Session, *, brand_id: int) -> list[tuple[CaseResolutionRead, str]]:
    """The brand's requests waiting for a manager, oldest first, each with its case's subject."""
    rows = list(
        session.execute(
            select(CaseResolution, Case.subject)
            .join(Case, Case.id == CaseResolution.case_id)
            .where(
                CaseResolution.brand_id == brand_id,
                CaseResolution.status == ResolutionStatus.AWAITING_APPROVAL,
            )
            .order_by(CaseResolution.created_at, CaseResolution.id)
        )
    )
    note_shown(session, [brand_id])
    reads = read_resolutions(session, [row[0] for row in rows])
    return [(read, row[1]) for read, row in zip(reads, rows, strict=True)]


def read_resolutions(session: Session, rows: Sequence[CaseResolution]) -> list[CaseResolutionRead]:
    """Resolutions with their option's label and the names of who asked and who decided."""
    options = {
        option.id: option
        for option in session.scalars(
            select(ResolutionOption).where(ResolutionOption.id.in_({row.option_id for row in rows}))
        )
    }
    user_ids = {uid for row in rows for uid in (row.requested_by_id, row.decided_by_id) if uid is not None}
    names = (
        {row.id: row.name for row in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    return [
        CaseResolutionRead(
            id=row.id,
            case_id=row.case_id,
            option_id=row.option_id,
            option_label=options[row.option_id].label,
            kind=options[row.option_id].kind,
            amount=row.amount,
            currency=row.currency,
            reason=row.reason,
            status=row.status,
            requested_by_id=row.requested_by_id,
            requested_by_name=names.get(row.requested_by_id) if row.requested_by_id else None,
            decided_by_id=row.decided_by_id,
            decided_by_name=names.get(row.decided_by_id) if row.decided_by_id else None,
            decided_at=row.decided_at,
            decision_note=row.decision_note,
            created_at=row.created_at,
        )
        for row in rows
    ]
