"""A brand's catalogue of resolutions (what may be given, up to what amount, by which role) and
the resolutions given on cases, with who asked, who decided and why.

Amounts are exact decimals with two places; limits are kept as JSON strings ("50.00") for the
same reason, so no float ever stands between a limit and the amount compared with it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Enum, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.clock import utcnow
from ombuds.db import Base, str_enum
from ombuds.responses.resolutions.values import ResolutionKind, ResolutionStatus


class ResolutionOption(Base):
    """One thing a brand lets its people give: waive a fee, a credit, a rebooking, a voucher."""

    __tablename__ = "resolution_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResolutionKind] = mapped_column(str_enum(ResolutionKind))
    label: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    # role → highest amount it may give without approval ("50.00"), or null for no limit;
    # a role that is not listed may only ask for it.
    limits: Mapped[dict[str, str | None]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseResolution(Base):
    """A resolution given (or asked for) on one case."""

    __tablename__ = "case_resolution"
    __table_args__ = (Index("ix_case_resolution_brand_status", "brand_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("resolution_option.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ResolutionStatus] = mapped_column(
        # "awaiting_approval" is longer than str_enum's 16 characters
        Enum(
            ResolutionStatus,
            native_enum=False,
            length=24,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
