"""Customers (one person across channels), their identities, and cases."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    column,
    func,
    literal,
    table,
)
from sqlalchemy.orm import Mapped, mapped_column

# the enums live in values.py for pure modules; re-exported for code written against the tables
from ombuds.cases.values import OPEN_STATUSES as OPEN_STATUSES
from ombuds.cases.values import CaseStatus as CaseStatus
from ombuds.cases.values import Priority as Priority
from ombuds.clock import utcnow
from ombuds.db import Base, str_enum


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Identity(Base):
    """A handle or address by which a customer is known on one channel."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("brand_id", "channel", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    followers: Mapped[int | None]


#: SQLite's built-in lower() folds the ASCII letters alone ("É" stays "É")
_SQLITE_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def handle_among(dialect: str, handles: Collection[str]) -> ColumnElement[bool]:
    """An identity whose handle is one of ``handles`` in any case, through ``ix_identity_brand_handle``:
    ``lower(handle)`` against the handles as the database lowers them. On SQLite Python folds them
    as SQLite does, so the list binds as one parameter and the statement compiles once (lowered in
    the statement, each batch's 500 handles compiled afresh: the lookup took 4 % of a pipeline
    round, 0.8 % now); elsewhere the database lowers them itself (PostgreSQL's follows its locale)."""
    lowered = func.lower(Identity.handle)
    if dialect == "sqlite":
        return lowered.in_(list({handle.translate(_SQLITE_LOWER) for handle in handles}))
    return lowered.in_([func.lower(literal(handle)) for handle in handles])


#: Indexes on expressions, made by migrations alone: SQLAlchemy cannot reflect them on SQLite, so
#: they stay out of the models and Alembic's comparison (``search.index.include_name``).
#: ``ix_case_inbox_order`` follows the inbox's default order (``queries.inbox_order``: returned by a
#: follow-up first, then priority, then age), so its first page reads 50 index entries a status
#: instead of sorting every open case (a million messages, 240,000 open cases: 296 ms to 3 ms).
#: ``ix_case_deadline_order`` does the same for the nearest-deadline order (``queries._sla_due``).
#: ``ix_case_reach_order`` for the widest-reach order (``reach`` descending, then priority and age).
#: ``ix_identity_brand_handle`` (brand, ``lower(handle)``) finds who wrote whichever name of the
#: network brought them ("x", "twitter"), and the other records of a handle in another case.
EXPRESSION_INDEXES = {
    "ix_case_inbox_order": "case",
    "ix_case_deadline_order": "case",
    "ix_case_reach_order": "case",
    "ix_identity_brand_handle": "identity",
}


class Case(Base):
    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_brand_status_priority", "brand_id", "status", "priority"),
        Index("ix_case_brand_status_opened", "brand_id", "status", "opened_at"),  # the inbox's oldest first
        # a team's inbox counts its open cases by status from this index alone (a million messages:
        # 278 → 16 ms); ``team_id`` alone stays too, for the search's walk newest first
        Index("ix_case_team_status", "team_id", "status", "brand_id"),
        # the SLA round reads the cases that hold one every few seconds: a few entries, not the table
        Index("ix_case_next_response_due", "next_response_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.NEW)
    priority: Mapped[int] = mapped_column(default=Priority.NORMAL)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    first_response_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    #: while a customer who had an answer waits for the next one: when it is due (the SLA round of
    #: the runner, ``routing.sla_actions``, keeps it from the messages and the brand's policy)
    next_response_due_at: Mapped[datetime | None]
    first_responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    # outcome facts (rules in cases/outcomes.py): changes of owner or team between people or teams,
    # times reopened, and whether the first contact fixed it (None until resolved)
    handoffs: Mapped[int] = mapped_column(default=0, server_default="0")
    reopened: Mapped[int] = mapped_column(default=0, server_default="0")
    first_contact_resolution: Mapped[bool | None]
    # business time (the brand's hours and holidays, pending spans left out) from opening to the
    # first response and to resolution; written by the runner (routing.duration_actions), cleared on reopen
    first_response_business_seconds: Mapped[int | None]
    resolution_business_seconds: Mapped[int | None]
    #: when a follow-up brought the case back (a parked date came, a check-in is due): it tops its
    #: owner's inbox until its status next changes
    returned_at: Mapped[datetime | None]
    #: the customer's largest audience on any channel (0 when unknown), for the inbox's widest-reach
    #: order; kept by ``reach.refresh_reach`` when identities or the case's customer change
    reach: Mapped[int] = mapped_column(default=0, server_default="0")


#: The outbox (``responses.models.Reply``) by its table's name, with what this package reads of it
#: (a case is not resolved, closed or merged away while a reply on it is not out yet): the
#: responses package builds on this one, so its model may not be imported here.
REPLY_TABLE = table("reply", column("id"), column("case_id"), column("status"), column("created_at"))
